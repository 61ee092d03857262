"""What host pages load: /embed.js, the no-JavaScript frame, the fragment."""
