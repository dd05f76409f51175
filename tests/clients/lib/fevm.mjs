// Start and stop a real `fevm` for a client suite.
//
// Every suite talks to its own node on a free loopback port (`--port 0`), learns the port from the
// one `Listening on host:port` line fevm prints when ready, and stops it by PID with SIGTERM (a
// clean shutdown), falling back to SIGKILL only if it does not exit. Everything fevm prints goes to
// a log file in the suite's output folder; `methods()` reads the per-request log lines back so the
// suite can report which JSON-RPC methods its client sent.
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const clientsDir = path.resolve(here, "..");
export const repoRoot = path.resolve(clientsDir, "../..");

/** The chain id fevm uses by default. */
export const CHAIN_ID = 31415926;

/**
 * The first dev accounts of the default mnemonic (`test test … junk`), the same keys Hardhat and
 * anvil use, so a suite can sign locally without asking the node.
 */
export const DEV_KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
];
export const DEV_ADDRESSES = [
  "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
  "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
];

/** Where the fevm binary is: `$FEVM_BIN`, else the debug build in the cargo target folder. */
export function fevmBinary() {
  if (process.env.FEVM_BIN) return process.env.FEVM_BIN;
  const target = process.env.CARGO_TARGET_DIR || path.join(repoRoot, "target");
  return path.join(target, "debug", "fevm");
}

/** The output folder of a suite (`tests/clients/out/<name>`), created if missing. */
export function outDir(name) {
  const dir = path.join(process.env.CLIENTS_OUT || path.join(clientsDir, "out"), name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const RPC_METHOD = /\b((?:eth|net|web3|personal|evm|anvil|hardhat|debug|trace|txpool|wallet|ots|rpc)_[A-Za-z0-9_]+|Filecoin\.[A-Za-z0-9]+)\b/;
// Strip ANSI colour codes in case the log was written by a terminal-coloured build.
const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * Start fevm with `args` (on top of `--host 127.0.0.1 --port 0`) and resolve once it listens.
 *
 * @param {{ name?: string, args?: string[], timeoutMs?: number }} options
 * @returns {Promise<{ url: string, wsUrl: string, host: string, port: number, pid: number,
 *   logFile: string, methods: () => Map<string, number>, stop: () => Promise<void> }>}
 */
export async function startFevm({ name = "fevm", args = [], timeoutMs = 60_000 } = {}) {
  const bin = fevmBinary();
  if (!existsSync(bin)) {
    throw new Error(`fevm binary not found at ${bin}; build it with \`cargo build --bin fevm\` or set FEVM_BIN`);
  }
  const logFile = path.join(outDir(name), "fevm.log");
  const log = createWriteStream(logFile);
  const child = spawn(bin, ["--host", "127.0.0.1", "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  child.stderr.pipe(log, { end: false });

  const address = await new Promise((resolve, reject) => {
    let buffered = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`fevm did not print "Listening on" within ${timeoutMs} ms (log: ${logFile})`));
    }, timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`fevm exited early (code ${code}, signal ${signal}); see ${logFile}`));
    });
    child.stdout.on("data", (chunk) => {
      log.write(chunk);
      if (buffered === null) return;
      buffered += chunk.toString();
      const match = buffered.match(/^Listening on (\S+):(\d+)\s*$/m);
      if (match) {
        clearTimeout(timer);
        buffered = null;
        child.removeAllListeners("exit");
        resolve({ host: match[1], port: Number(match[2]) });
      }
    });
  });

  const exited = new Promise((resolve) => child.once("exit", resolve));
  let stopping = null;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(child.pid, "SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(killer);
      }
      await new Promise((resolve) => log.end(resolve));
    })();
    return stopping;
  };
  // A suite that crashes must not leave a node behind.
  process.once("exit", () => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });

  return {
    ...address,
    url: `http://${address.host}:${address.port}`,
    wsUrl: `ws://${address.host}:${address.port}`,
    pid: child.pid,
    logFile,
    methods: () => methodCounts(logFile),
    stop,
  };
}

/** Count the JSON-RPC methods in an fevm log (one info line per request, batched or not). */
export function methodCounts(logFile) {
  const counts = new Map();
  for (const raw of readFileSync(logFile, "utf8").split("\n")) {
    const line = raw.replace(ANSI, "");
    if (!/\bINFO\b/.test(line)) continue;
    const match = line.match(RPC_METHOD);
    if (match) counts.set(match[1], (counts.get(match[1]) ?? 0) + 1);
  }
  return new Map([...counts].sort(([a], [b]) => a.localeCompare(b)));
}

/** `eth_call 12, eth_chainId 3, …` — the method log a suite prints and saves. */
export function formatMethods(counts) {
  return [...counts].map(([method, n]) => `${method} ${n}`).join("\n");
}
