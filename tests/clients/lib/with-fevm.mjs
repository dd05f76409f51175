#!/usr/bin/env node
// Run one command against a fresh fevm:
//
//   node lib/with-fevm.mjs <suite-name> [--fevm-arg …]* -- <command> [args…]
//
// Starts fevm on a free loopback port, runs the command with FEVM_URL, FEVM_WS_URL, FEVM_CHAIN_ID
// and SUITE_OUT (the suite's output folder) in its environment, stops fevm by PID, then writes the
// methods the client sent to SUITE_OUT/methods.txt. Exits with the command's status, so a failing
// suite fails the whole run.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { CHAIN_ID, formatMethods, outDir, startFevm } from "./fevm.mjs";

const argv = process.argv.slice(2);
const split = argv.indexOf("--");
if (argv.length < 3 || split < 1 || split === argv.length - 1) {
  console.error("usage: with-fevm.mjs <suite-name> [--fevm-arg <arg>]* -- <command> [args...]");
  process.exit(2);
}
const name = argv[0];
const fevmArgs = [];
for (let i = 1; i < split; i += 2) {
  if (argv[i] !== "--fevm-arg" || i + 1 >= split) {
    console.error(`unexpected argument ${argv[i]}`);
    process.exit(2);
  }
  fevmArgs.push(argv[i + 1]);
}
const [command, ...args] = argv.slice(split + 1);

const out = outDir(name);
const node = await startFevm({ name, args: fevmArgs });
console.log(`[${name}] fevm pid ${node.pid} at ${node.url}`);

const status = await new Promise((resolve) => {
  const child = spawn(command, args, {
    stdio: "inherit",
    env: {
      ...process.env,
      FEVM_URL: node.url,
      FEVM_WS_URL: node.wsUrl,
      FEVM_CHAIN_ID: String(CHAIN_ID),
      SUITE_OUT: out,
    },
  });
  child.once("error", (e) => {
    console.error(`[${name}] cannot run ${command}: ${e.message}`);
    resolve(127);
  });
  child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
});

await node.stop();
const methods = formatMethods(node.methods());
writeFileSync(path.join(out, "methods.txt"), methods + "\n");
console.log(`[${name}] methods sent:\n${methods.replace(/^/gm, "  ")}`);
process.exit(status);
