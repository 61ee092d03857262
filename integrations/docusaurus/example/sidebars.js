module.exports = { guide: ["landing", "sampling"] };
