// A CommonJS module of the main app.
const producer = require("@callastar/producer");
const drizzle = require("@callastar/producer/drizzle");
const logger = require("@callastar/audit-log");
const exercise = require("./exercise.cjs");

exercise({ producer, drizzle, logger, flavor: "cjs" }, JSON.parse(process.argv[2])).then(
  (result) => console.log(JSON.stringify(result)),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
