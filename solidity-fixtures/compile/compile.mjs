// Compiles ../contracts/*.sol with the pinned solcjs and writes ../artifacts/<Contract>.json and
// ../artifacts/manifest.json. Run it through ../compile.sh, which installs the pinned compiler
// first. Output is deterministic: the same sources give byte-identical artifacts.
//
// Contracts may import the Filecoin Solidity libraries pinned in package.json (e.g.
// "filecoin-solidity-api/contracts/v0.8/PowerAPI.sol"): imports resolve in ./node_modules only,
// and the lockfile's sha256 goes into the manifest, so a library bump shows as stale artifacts.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import solc from "solc";

const EXPECTED_SOLC = "0.8.37+commit.f401782d.Emscripten.clang";
const DEFAULT_EVM_VERSION = "cancun";
// Files that need a newer EVM than the default (solc accepts `clz` only for Osaka; FEVM has it).
const EVM_VERSION_OVERRIDES = { "Clz.sol": "osaka" };
const OPTIMIZER = { enabled: true, runs: 200 };
const OUTPUTS = ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"];

const crateDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const contractsDir = join(crateDir, "contracts");
const artifactsDir = join(crateDir, "artifacts");

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
const compileDir = dirname(fileURLToPath(import.meta.url));

// Resolves `import "<package>/<path>"` against the pinned packages, nothing else.
function findImports(path) {
  if (path.startsWith("/") || path.split("/").includes("..")) {
    return { error: `import ${path}: only package paths are allowed` };
  }
  try {
    return { contents: readFileSync(join(compileDir, "node_modules", path), "utf8") };
  } catch (e) {
    return { error: `import ${path}: ${e.message}` };
  }
}

if (solc.version() !== EXPECTED_SOLC) {
  console.error(`expected solc ${EXPECTED_SOLC}, found ${solc.version()}; run compile.sh (npm ci)`);
  process.exit(1);
}

const files = readdirSync(contractsDir).filter((f) => f.endsWith(".sol")).sort();
const manifest = {
  compiler: { npmPackage: "solc@0.8.37", version: solc.version() },
  settings: { defaultEvmVersion: DEFAULT_EVM_VERSION, optimizer: OPTIMIZER, outputSelection: OUTPUTS },
  compileScriptSha256: sha256(readFileSync(fileURLToPath(import.meta.url))),
  lockfileSha256: sha256(readFileSync(join(compileDir, "package-lock.json"))),
  sources: {},
  contracts: {},
};
const artifacts = {};
let failed = false;

for (const file of files) {
  const content = readFileSync(join(contractsDir, file));
  const evmVersion = EVM_VERSION_OVERRIDES[file] ?? DEFAULT_EVM_VERSION;
  const sourceKey = `contracts/${file}`;
  const input = {
    language: "Solidity",
    sources: { [sourceKey]: { content: content.toString("utf8") } },
    settings: {
      evmVersion,
      optimizer: OPTIMIZER,
      outputSelection: { "*": { "*": OUTPUTS } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
  for (const e of output.errors ?? []) {
    console.error(e.formattedMessage);
    if (e.severity === "error") failed = true;
  }
  if (failed) continue;

  const names = [];
  for (const [name, c] of Object.entries(output.contracts?.[sourceKey] ?? {})) {
    // Interfaces and abstract contracts have no bytecode: nothing to deploy, no artifact.
    if (c.evm.bytecode.object === "") continue;
    if (artifacts[name]) {
      console.error(`contract name ${name} is defined in both ${artifacts[name].file} and ${file}`);
      failed = true;
      continue;
    }
    const bytecode = `0x${c.evm.bytecode.object}`;
    const deployedBytecode = `0x${c.evm.deployedBytecode.object}`;
    artifacts[name] = {
      file,
      json: { abi: c.abi, bytecode: { object: bytecode }, deployedBytecode: { object: deployedBytecode } },
    };
    manifest.contracts[name] = {
      source: file,
      bytecodeSize: c.evm.bytecode.object.length / 2,
      deployedSize: c.evm.deployedBytecode.object.length / 2,
    };
    names.push(name);
  }
  if (names.length === 0) {
    console.error(`${file} defines no deployable contract`);
    failed = true;
  }
  manifest.sources[file] = { sha256: sha256(content), evmVersion, contracts: names.sort() };
}

if (failed) {
  console.error("compilation failed; artifacts left unchanged");
  process.exit(1);
}

// Replace the whole artifacts directory so that removed contracts leave no stale JSON behind.
rmSync(artifactsDir, { recursive: true, force: true });
mkdirSync(artifactsDir, { recursive: true });
const sortedKeys = (obj) => Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]));
manifest.contracts = sortedKeys(manifest.contracts);
for (const [name, { json }] of Object.entries(artifacts)) {
  writeFileSync(join(artifactsDir, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
}
writeFileSync(join(artifactsDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
for (const [name, info] of Object.entries(manifest.contracts)) {
  console.log(`${name.padEnd(28)} ${String(info.deployedSize).padStart(6)} bytes deployed  (${info.source})`);
}
