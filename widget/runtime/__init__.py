"""The process: create_app(settings), the event subscribers, serve, logs."""
