//! The committed artifacts must match the committed sources: every `contracts/*.sol` has the
//! sha256 recorded in `artifacts/manifest.json`, every source has artifacts, every artifact has
//! a source and a binding in `FIXTURES`.

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

const RECOMPILE: &str = "recompile with `solidity-fixtures/compile.sh` (needs node and npm) \
                         and commit contracts/ and artifacts/ together";

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn manifest() -> Value {
    let path = crate_dir().join("artifacts/manifest.json");
    let text = fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}; {RECOMPILE}", path.display()));
    serde_json::from_str(&text).expect("artifacts/manifest.json is not valid JSON")
}

fn sha256_hex(path: &Path) -> String {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// File names in `dir` ending with `suffix`, sorted.
fn files_with_suffix(dir: &Path, suffix: &str) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(suffix))
        .collect()
}

#[test]
fn sources_match_the_manifest() {
    let manifest = manifest();
    let recorded = manifest["sources"].as_object().expect("manifest has no `sources` object");
    let on_disk = files_with_suffix(&crate_dir().join("contracts"), ".sol");

    let mut problems = Vec::new();
    for file in &on_disk {
        match recorded.get(file) {
            None => problems.push(format!("contracts/{file} is new: it has no artifacts")),
            Some(entry) => {
                let actual = sha256_hex(&crate_dir().join("contracts").join(file));
                if entry["sha256"].as_str() != Some(actual.as_str()) {
                    problems.push(format!(
                        "contracts/{file} changed since it was compiled (sha256 {actual}, \
                         manifest {})",
                        entry["sha256"]
                    ));
                }
            }
        }
    }
    for file in recorded.keys() {
        if !on_disk.contains(file) {
            problems.push(format!("contracts/{file} was removed but still has artifacts"));
        }
    }
    assert!(problems.is_empty(), "stale artifacts:\n  {}\n{RECOMPILE}", problems.join("\n  "));
}

#[test]
fn imported_libraries_match_the_manifest() {
    let actual = sha256_hex(&crate_dir().join("compile/package-lock.json"));
    assert_eq!(
        manifest()["lockfileSha256"].as_str(),
        Some(actual.as_str()),
        "compile/package-lock.json (the pinned compiler and Solidity libraries) changed since \
         the artifacts were built; {RECOMPILE}"
    );
}

#[test]
fn compile_script_matches_the_manifest() {
    let actual = sha256_hex(&crate_dir().join("compile/compile.mjs"));
    assert_eq!(
        manifest()["compileScriptSha256"].as_str(),
        Some(actual.as_str()),
        "compile/compile.mjs changed since the artifacts were built; {RECOMPILE}"
    );
}

#[test]
fn artifacts_match_the_manifest_and_the_bindings() {
    let manifest = manifest();
    let dir = crate_dir().join("artifacts");

    // contract name -> source file, from the manifest's per-source lists.
    let mut from_sources = BTreeMap::new();
    for (file, entry) in manifest["sources"].as_object().unwrap() {
        let names = entry["contracts"].as_array().expect("source entry without `contracts`");
        assert!(!names.is_empty(), "contracts/{file} has no artifact; {RECOMPILE}");
        for name in names {
            from_sources.insert(name.as_str().unwrap().to_owned(), file.clone());
        }
    }

    let on_disk: BTreeSet<String> = files_with_suffix(&dir, ".json")
        .into_iter()
        .filter(|f| f != "manifest.json")
        .map(|f| f.trim_end_matches(".json").to_owned())
        .collect();
    let expected: BTreeSet<String> = from_sources.keys().cloned().collect();
    assert_eq!(on_disk, expected, "artifacts/*.json differ from the manifest; {RECOMPILE}");

    let contracts = manifest["contracts"].as_object().unwrap();
    for (name, file) in &from_sources {
        assert_eq!(contracts[name]["source"].as_str(), Some(file.as_str()), "{name}");
        let artifact: Value =
            serde_json::from_str(&fs::read_to_string(dir.join(format!("{name}.json"))).unwrap())
                .unwrap();
        let deployed = artifact["deployedBytecode"]["object"].as_str().unwrap();
        assert_eq!(
            contracts[name]["deployedSize"].as_u64(),
            Some(deployed.trim_start_matches("0x").len() as u64 / 2),
            "{name}: deployedSize in the manifest does not match the artifact"
        );
    }

    // Every artifact has a binding in src/lib.rs, with the same code and source file.
    let bound: BTreeMap<&str, &solidity_fixtures::Fixture> =
        solidity_fixtures::FIXTURES.iter().map(|f| (f.name, f)).collect();
    for (name, file) in &from_sources {
        let fixture = bound.get(name.as_str()).unwrap_or_else(|| {
            panic!("artifacts/{name}.json has no sol! binding in src/lib.rs (add it to FIXTURES)")
        });
        assert_eq!(fixture.source, file, "{name}: wrong source file in FIXTURES");
    }
    for name in bound.keys() {
        assert!(from_sources.contains_key(*name), "FIXTURES lists {name}, which has no artifact");
    }
}

#[test]
fn manifest_records_the_pinned_compiler() {
    let manifest = manifest();
    assert_eq!(manifest["compiler"]["version"], "0.8.37+commit.f401782d.Emscripten.clang");
    assert_eq!(manifest["settings"]["defaultEvmVersion"], "cancun");
    assert_eq!(manifest["settings"]["optimizer"]["enabled"], true);
    assert_eq!(manifest["settings"]["optimizer"]["runs"], 200);
}
