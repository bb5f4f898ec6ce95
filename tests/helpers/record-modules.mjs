// `node --import ./tests/helpers/record-modules.mjs`: appends the URL of every ES module the process loads
// to the file named by CS_MCP_TEST_MODULES_FILE, one per line (tests of what a start-up loads).
import { register } from "node:module";

if (process.env.CS_MCP_TEST_MODULES_FILE) register("./record-modules-hooks.mjs", import.meta.url, { data: { file: process.env.CS_MCP_TEST_MODULES_FILE } });
