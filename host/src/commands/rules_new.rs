//! `trailwarden rules new NAME`: a rule pack crate that builds, tests and runs as it is.
//!
//! The crate depends on `trailwarden-sdk` as a user's machine can get it: by default the
//! published crate (`trailwarden-sdk = "0.3"`, the SDK this binary speaks), or with `--sdk git`
//! this release's tag of the repository, or with `--sdk path=DIR` a local source; never a path
//! on the machine that built the binary. It has its own `[workspace]` table
//! and a wasm-friendly release profile, a `rust-toolchain.toml` that asks rustup for the Rust
//! this binary was built with and the wasm32 target (so it builds away from this repository), a
//! sample rule that checks a requirement on the monitoring chain, native tests, and fixture
//! cases. The fixture snapshots are written by the crate's own builders
//! (`templates/pack/fixtures.rs`, compiled here too), so the files and the code that describes
//! them agree, and the crate's tests keep them agreeing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use trailwarden_sdk::testing::cases::{Expectations, ExpectedError, ExpectedFinding};
use trailwarden_sdk::{Level, Outcome as FindingOutcome};

use crate::Outcome;
use crate::cli::{NewArgs, SdkSource};

const CARGO_TOML: &str = include_str!("../../templates/pack/Cargo.toml.tmpl");
const GITIGNORE: &str = include_str!("../../templates/pack/gitignore.tmpl");
const README: &str = include_str!("../../templates/pack/README.md.tmpl");
const LIB_RS: &str = include_str!("../../templates/pack/lib.rs.tmpl");
const RULE_RS: &str = include_str!("../../templates/pack/key_policy_alarm.rs.tmpl");
const TEST_RS: &str = include_str!("../../templates/pack/rules_test.rs.tmpl");
const TOOLCHAIN_TOML: &str = include_str!("../../templates/pack/rust-toolchain.toml.tmpl");
/// Written as it is: it has no placeholders, since this binary compiles it too.
const FIXTURES_RS: &str = include_str!("../../templates/pack/fixtures.rs");

/// The workspace's own toolchain file, whose channel the pack's `rust-toolchain.toml` pins.
const WORKSPACE_TOOLCHAIN: &str = include_str!("../../packaged/rust-toolchain.toml");

/// The pack's fixture builders, compiled here so that the snapshots `rules new` writes are
/// exactly what the crate's `write_fixtures` test would write.
#[allow(dead_code)] // The constants and `monitored` are for the pack's own tests.
#[path = "../../templates/pack/fixtures.rs"]
mod pack_fixtures;

/// Runs `rules new`.
pub fn run(args: &NewArgs) -> anyhow::Result<Outcome> {
    let plan = Plan::new(args)?;
    plan.write()?;
    crate::write_stdout(plan.next_steps())?;
    Ok(Outcome::Pass)
}

/// What `rules new` will write, checked before anything is written.
#[derive(Debug)]
pub struct Plan {
    /// The crate name.
    pub name: String,
    /// The crate name as a Rust identifier.
    pub crate_ident: String,
    /// The rule id prefix.
    pub prefix: String,
    /// The crate directory.
    pub dir: PathBuf,
    /// The `trailwarden-sdk` dependency line of the pack's `Cargo.toml`.
    pub sdk_dependency: String,
    /// A local SDK source patched over the crates.io one (trailwarden's own tests), absolute.
    pub sdk_patch: Option<PathBuf>,
    /// The Rust channel the pack's `rust-toolchain.toml` pins: the workspace's.
    pub toolchain: String,
}

impl Plan {
    /// Checks the name, the prefix, the target directory and the SDK path.
    pub fn new(args: &NewArgs) -> anyhow::Result<Self> {
        let name = args.name.trim().to_owned();
        check_name(&name)?;
        let prefix = match &args.id_prefix {
            Some(prefix) => prefix.clone(),
            None => default_prefix(&name),
        };
        if prefix.is_empty()
            || !prefix
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            bail!(
                "rule id prefix `{prefix}` must be upper-case letters and digits, e.g. ACME \
                 (rule ids look like ACME-KMS-001); pass --id-prefix"
            );
        }
        if prefix == "TW" {
            bail!(
                "the rule id prefix TW belongs to the built-in rules; pick your own with --id-prefix"
            );
        }
        let dir = crate::commands::rules_test::tidy(&args.dir.join(&name));
        if dir.exists() {
            bail!(
                "{} already exists; pick another name or --dir, or remove it",
                dir.display()
            );
        }
        let sdk_dependency = sdk_dependency(&args.sdk)?;
        let sdk_patch = match &args.sdk_patch {
            Some(dir) => Some(sdk_source(dir, "TRAILWARDEN_SDK_PATH")?),
            None => None,
        };
        Ok(Self {
            crate_ident: name.replace('-', "_"),
            name,
            prefix,
            dir,
            sdk_dependency,
            sdk_patch,
            toolchain: toolchain_channel()?,
        })
    }

    fn fill(&self, template: &str) -> String {
        let patch = match &self.sdk_patch {
            Some(dir) => format!(
                "\n# TRAILWARDEN_SDK_PATH was set when this crate was written: the SDK comes from \
                 that source instead of crates.io.\n[patch.crates-io]\ntrailwarden-sdk = {{ path = \"{}\" }}\n",
                toml_escape(&dir.to_string_lossy().replace('\\', "/"))
            ),
            None => String::new(),
        };
        template
            .replace("{{NAME}}", &self.name)
            .replace("{{CRATE}}", &self.crate_ident)
            .replace("{{PREFIX}}", &self.prefix)
            .replace("{{SDK_DEPENDENCY}}", &self.sdk_dependency)
            .replace("{{SDK_PATCH}}", &patch)
            .replace("{{TOOLCHAIN}}", &toml_escape(&self.toolchain))
    }

    /// The files, relative to the crate directory, with their contents.
    pub fn files(&self) -> Vec<(PathBuf, String)> {
        let mut files: Vec<(PathBuf, String)> = [
            ("Cargo.toml", CARGO_TOML),
            ("rust-toolchain.toml", TOOLCHAIN_TOML),
            (".gitignore", GITIGNORE),
            ("README.md", README),
            ("src/lib.rs", LIB_RS),
            ("src/key_policy_alarm.rs", RULE_RS),
            ("tests/rules.rs", TEST_RS),
        ]
        .into_iter()
        .map(|(path, template)| (PathBuf::from(path), self.fill(template)))
        .collect();
        files.push((
            PathBuf::from("tests/fixtures/mod.rs"),
            FIXTURES_RS.to_owned(),
        ));
        for (path, text) in self.cases() {
            files.push((Path::new("tests/cases").join(path), text));
        }
        files
    }

    /// The fixture cases: snapshots from the pack's own builders, and their expectations.
    fn cases(&self) -> Vec<(String, String)> {
        let account = trailwarden_sdk::events::DEFAULT_ACCOUNT;
        let id = format!("{}-KMS-001", self.prefix);
        let expected_file = |description: &str, change: &dyn Fn(&mut Expectations)| {
            let mut expected = Expectations {
                description: Some(description.to_owned()),
                rules: Some(vec![id.clone()]),
                ..Expectations::default()
            };
            change(&mut expected);
            serde_json::to_string_pretty(&expected).unwrap_or_default() + "\n"
        };
        let settings = |value: serde_json::Value| {
            std::iter::once((id.clone(), value)).collect::<BTreeMap<_, _>>()
        };
        let mut cases: Vec<(String, String)> = pack_fixtures::fixtures()
            .into_iter()
            .map(|(file, builder)| (file.to_owned(), builder.to_json()))
            .collect();
        cases.extend([
            (
                "monitored.expected.json".to_owned(),
                expected_file(
                    "PutKeyPolicy, successful or refused, is counted and alarmed in both regions",
                    &|_| {},
                ),
            ),
            (
                "refused-calls-dropped.expected.json".to_owned(),
                expected_file(
                    "the filter drops refused calls (errorCode NOT EXISTS), so a refused \
                     PutKeyPolicy reaches nobody",
                    &|e| {
                        e.findings = vec![ExpectedFinding {
                            rule: id.clone(),
                            reason: "FILTER_DOES_NOT_MATCH".to_owned(),
                            level: Some(Level::Warning),
                            outcome: FindingOutcome::Fail,
                            resource: Some(format!(
                                "arn:aws:logs:us-east-1:{account}:log-group:cloudtrail-logs:metric-filter:kms-key-policy"
                            )),
                            region: None,
                            message_contains: Some(
                                "PutKeyPolicy (AccessDeniedException)".to_owned(),
                            ),
                        }];
                    },
                ),
            ),
            (
                "refused-calls-allowed.expected.json".to_owned(),
                expected_file(
                    "with include_refused off, the same filter is enough",
                    &|e| {
                        e.snapshot = Some("refused-calls-dropped.json".to_owned());
                        e.settings = settings(serde_json::json!({ "include_refused": false }));
                    },
                ),
            ),
            (
                "bad-setting.expected.json".to_owned(),
                expected_file(
                    "a setting of the wrong type is an error naming the key",
                    &|e| {
                        e.snapshot = Some("monitored.json".to_owned());
                        e.settings = settings(serde_json::json!({ "include_refused": "yes" }));
                        e.errors = vec![ExpectedError {
                            rule: id.clone(),
                            kind: trailwarden_sdk::abi::FailureKind::Settings,
                            message_contains: Some("`include_refused`".to_owned()),
                        }];
                    },
                ),
            ),
        ]);
        cases
    }

    /// Writes the crate. Nothing is written unless every check passed.
    pub fn write(&self) -> anyhow::Result<()> {
        for (path, text) in self.files() {
            let path = self.dir.join(path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("creating {}", parent.display()))?;
            }
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        }
        Ok(())
    }

    /// What to run next, printed after the crate is written.
    pub fn next_steps(&self) -> String {
        let wasm = format!(
            "target/wasm32-unknown-unknown/release/{}.wasm",
            self.crate_ident
        );
        format!(
            "Created rule pack `{name}` in {dir}: rule {prefix}-KMS-001, fixture cases in \
             tests/cases, {sdk}.\n\
             \n\
             Next:\n  \
             cd {dir}\n  \
             cargo test                                             # the rule natively, and the fixture cases\n  \
             cargo build --release --target wasm32-unknown-unknown  # the pack: {wasm}\n  \
             trailwarden rules test                                 # the cases through the .wasm, in the sandbox\n  \
             trailwarden check --snapshot account.json --rules target/wasm32-unknown-unknown/release\n\
             \n\
             rust-toolchain.toml asks rustup for Rust {toolchain} and the wasm32 target; without rustup: \
             install the wasm32-unknown-unknown target for your Rust.\n\
             The guide: docs/writing-rules.md in the trailwarden repository.\n",
            name = self.name,
            dir = self.dir.display(),
            prefix = self.prefix,
            sdk = self.sdk_dependency,
            toolchain = self.toolchain,
        )
    }
}

/// Cargo package names, kept to what is also a readable Rust identifier.
fn check_name(name: &str) -> anyhow::Result<()> {
    let well_formed = name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && !name.contains("--")
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !well_formed {
        bail!(
            "`{name}` is not a usable crate name: use lower-case letters, digits and single \
             dashes, starting with a letter, e.g. acme-rules"
        );
    }
    const TAKEN: &[&str] = &[
        "trailwarden",
        "trailwarden-sdk",
        "trailwarden-sdk-macros",
        "serde",
        "serde-json",
        "test",
        "core",
        "std",
        "alloc",
    ];
    if TAKEN.contains(&name) {
        bail!(
            "`{name}` is the name of a crate the pack depends on or of a Rust built-in crate; pick another, e.g. acme-rules"
        );
    }
    Ok(())
}

/// `ACME` for `acme-rules`; the first word that is not `trailwarden`.
fn default_prefix(name: &str) -> String {
    name.split('-')
        .find(|word| !word.is_empty() && *word != "trailwarden")
        .unwrap_or("MY")
        .to_ascii_uppercase()
}

/// The version requirement a new pack puts on the SDK: the minor series of the SDK this binary
/// speaks (`0.2` for 0.2.x, whose packs it loads), or the major series from 1.0 on.
pub fn sdk_requirement() -> String {
    let version = trailwarden_sdk::SDK_VERSION;
    match version.split('.').collect::<Vec<_>>().as_slice() {
        ["0", minor, ..] => format!("0.{minor}"),
        [major, ..] => (*major).to_owned(),
        [] => version.to_owned(),
    }
}

/// The dependency line for `source`; a local source is checked to be the SDK.
fn sdk_dependency(source: &SdkSource) -> anyhow::Result<String> {
    Ok(match source {
        SdkSource::Version => format!("trailwarden-sdk = \"{}\"", sdk_requirement()),
        SdkSource::Git => format!(
            "trailwarden-sdk = {{ git = \"{}\", tag = \"v{}\" }}",
            toml_escape(env!("CARGO_PKG_REPOSITORY")),
            env!("CARGO_PKG_VERSION")
        ),
        SdkSource::Path(dir) => {
            let dir = sdk_source(dir, "--sdk path=")?;
            format!(
                "trailwarden-sdk = {{ path = \"{}\" }}",
                toml_escape(&dir.to_string_lossy().replace('\\', "/"))
            )
        }
    })
}

/// `path`, absolute, checked to be the trailwarden-sdk source; `source` names where it came from.
fn sdk_source(path: &Path, source: &str) -> anyhow::Result<PathBuf> {
    let manifest = path.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).with_context(|| {
        format!(
            "{} ({source}) is not the trailwarden-sdk source: it has no readable Cargo.toml",
            path.display()
        )
    })?;
    if !text.contains("name = \"trailwarden-sdk\"") {
        bail!(
            "{} ({source}) is not the trailwarden-sdk source: its Cargo.toml is another \
             package's; point it at the sdk/ directory of a trailwarden checkout",
            path.display()
        );
    }
    std::fs::canonicalize(path).with_context(|| format!("resolving {}", path.display()))
}

/// The channel of the workspace's `rust-toolchain.toml`: the Rust this binary and its SDK are
/// built and tested with, so the one a new pack is sure to build with.
fn toolchain_channel() -> anyhow::Result<String> {
    #[derive(serde::Deserialize)]
    struct File {
        toolchain: Toolchain,
    }
    #[derive(serde::Deserialize)]
    struct Toolchain {
        channel: String,
    }
    let file: File = toml::from_str(WORKSPACE_TOOLCHAIN)
        .context("the rust-toolchain.toml this trailwarden was built with has no channel")?;
    Ok(file.toolchain.channel)
}

/// Escapes a string for a TOML basic string.
fn toml_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(name: &str) -> NewArgs {
        NewArgs {
            name: name.to_owned(),
            dir: std::env::temp_dir().join("tw-scaffold-unit-does-not-exist"),
            sdk: SdkSource::Version,
            sdk_patch: None,
            id_prefix: None,
        }
    }

    #[test]
    fn names_and_prefixes() {
        assert!(check_name("acme-rules").is_ok());
        for bad in [
            "Acme",
            "acme_rules",
            "-acme",
            "acme-",
            "a--b",
            "9lives",
            "serde",
            "",
        ] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        assert_eq!(default_prefix("acme-rules"), "ACME");
        assert_eq!(default_prefix("trailwarden-acme"), "ACME");
        assert_eq!(default_prefix("trailwarden"), "MY");
    }

    #[test]
    fn the_plan_fills_every_placeholder_and_writes_a_standalone_crate() {
        let plan = Plan::new(&args("acme-rules")).expect("plan");
        assert_eq!(plan.prefix, "ACME");
        for (path, text) in plan.files() {
            assert!(
                !text.contains("{{"),
                "{} keeps a placeholder",
                path.display()
            );
        }
        let files = plan.files();
        let manifest = &files
            .iter()
            .find(|(p, _)| p == Path::new("Cargo.toml"))
            .expect("Cargo.toml")
            .1;
        for wanted in [
            "[workspace]",
            "panic = \"abort\"",
            "opt-level = \"s\"",
            "crate-type = [\"cdylib\", \"rlib\"]",
        ] {
            assert!(manifest.contains(wanted), "{wanted} missing:\n{manifest}");
        }
        let cases: Vec<_> = files
            .iter()
            .filter(|(p, _)| p.starts_with("tests/cases"))
            .collect();
        assert_eq!(cases.len(), 6);
        for (path, text) in cases {
            if path.to_string_lossy().ends_with(".expected.json") {
                serde_json::from_str::<trailwarden_sdk::testing::Expectations>(text)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            } else {
                trailwarden_sdk::Snapshot::from_json(text)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            }
        }
    }

    /// The pack builds away from this repository: its toolchain file pins the workspace's
    /// channel and asks for the wasm32 target.
    #[test]
    fn the_pack_pins_the_workspace_toolchain_and_the_wasm_target() {
        let plan = Plan::new(&args("acme-rules")).expect("plan");
        let files = plan.files();
        let text = &files
            .iter()
            .find(|(p, _)| p == Path::new("rust-toolchain.toml"))
            .expect("rust-toolchain.toml")
            .1;
        let written: toml::Table = toml::from_str(text).expect("valid TOML");
        let workspace: toml::Table = toml::from_str(WORKSPACE_TOOLCHAIN).expect("valid TOML");
        assert_eq!(
            written["toolchain"]["channel"],
            workspace["toolchain"]["channel"]
        );
        let targets = written["toolchain"]["targets"].as_array().expect("targets");
        assert!(
            targets
                .iter()
                .any(|t| t.as_str() == Some("wasm32-unknown-unknown")),
            "{text}"
        );
    }

    /// The snapshots written are the builders' output, byte for byte, and the builders'
    /// file is written as compiled here, so the pack's `fixtures_match_their_builders` test
    /// passes on a new crate.
    #[test]
    fn the_fixture_files_are_what_the_packs_builders_build() {
        let plan = Plan::new(&args("acme-rules")).expect("plan");
        let files = plan.files();
        let file = |name: &str| {
            files
                .iter()
                .find(|(p, _)| p == Path::new(name))
                .map(|(_, text)| text.clone())
                .unwrap_or_else(|| panic!("{name} not written"))
        };
        let builders = pack_fixtures::fixtures();
        assert!(!builders.is_empty());
        for (name, builder) in builders {
            assert_eq!(
                file(&format!("tests/cases/{name}")),
                builder.to_json(),
                "{name}"
            );
        }
        assert_eq!(file("tests/fixtures/mod.rs"), FIXTURES_RS);
        let tests = file("tests/rules.rs");
        for wanted in [
            "mod fixtures;",
            "fn write_fixtures()",
            "fn fixtures_match_their_builders()",
        ] {
            assert!(tests.contains(wanted), "{wanted} missing:\n{tests}");
        }
    }

    fn manifest(plan: &Plan) -> String {
        plan.files()
            .into_iter()
            .find(|(p, _)| p == Path::new("Cargo.toml"))
            .expect("Cargo.toml")
            .1
    }

    /// By default a pack depends on the published SDK by version, never on a path of the
    /// machine that built this binary; `--sdk git` and `--sdk path=` write what they say.
    #[test]
    fn the_sdk_dependency_works_on_another_machine() {
        let written = manifest(&Plan::new(&args("acme-rules")).expect("plan"));
        let parsed: toml::Table = toml::from_str(&written).expect("valid TOML");
        assert_eq!(
            parsed["dependencies"]["trailwarden-sdk"].as_str(),
            Some(sdk_requirement().as_str()),
            "{written}"
        );
        assert!(sdk_requirement().starts_with("0."), "{}", sdk_requirement());
        assert!(!written.contains("path ="), "{written}");
        assert!(!written.contains("[patch"), "{written}");

        let mut git = args("acme-rules");
        git.sdk = SdkSource::Git;
        let written = manifest(&Plan::new(&git).expect("plan"));
        let parsed: toml::Table = toml::from_str(&written).expect("valid TOML");
        let dependency = &parsed["dependencies"]["trailwarden-sdk"];
        assert_eq!(
            dependency["git"].as_str(),
            Some(env!("CARGO_PKG_REPOSITORY"))
        );
        assert_eq!(
            dependency["tag"].as_str(),
            Some(concat!("v", env!("CARGO_PKG_VERSION")))
        );

        let sdk = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../sdk");
        let mut local = args("acme-rules");
        local.sdk = SdkSource::Path(sdk.clone());
        let written = manifest(&Plan::new(&local).expect("plan"));
        let parsed: toml::Table = toml::from_str(&written).expect("valid TOML");
        let canonical = std::fs::canonicalize(&sdk).expect("sdk");
        assert_eq!(
            parsed["dependencies"]["trailwarden-sdk"]["path"].as_str(),
            Some(canonical.to_string_lossy().as_ref())
        );

        let mut patched = args("acme-rules");
        patched.sdk_patch = Some(sdk);
        let written = manifest(&Plan::new(&patched).expect("plan"));
        let parsed: toml::Table = toml::from_str(&written).expect("valid TOML");
        assert_eq!(
            parsed["dependencies"]["trailwarden-sdk"].as_str(),
            Some(sdk_requirement().as_str())
        );
        assert_eq!(
            parsed["patch"]["crates-io"]["trailwarden-sdk"]["path"].as_str(),
            Some(canonical.to_string_lossy().as_ref()),
            "{written}"
        );
    }

    #[test]
    fn refuses_what_it_cannot_write() {
        let mut bad = args("acme-rules");
        bad.id_prefix = Some("TW".to_owned());
        assert!(
            Plan::new(&bad)
                .unwrap_err()
                .to_string()
                .contains("built-in")
        );
        bad.id_prefix = Some("acme".to_owned());
        assert!(
            Plan::new(&bad)
                .unwrap_err()
                .to_string()
                .contains("upper-case")
        );
        let mut elsewhere = args("acme-rules");
        elsewhere.sdk = SdkSource::Path(std::env::temp_dir());
        let error = Plan::new(&elsewhere).unwrap_err().to_string();
        assert!(
            error.contains("is not the trailwarden-sdk source"),
            "{error}"
        );
        let mut patched_elsewhere = args("acme-rules");
        patched_elsewhere.sdk_patch = Some(std::env::temp_dir());
        let error = Plan::new(&patched_elsewhere).unwrap_err().to_string();
        assert!(
            error.contains("(TRAILWARDEN_SDK_PATH) is not the trailwarden-sdk source"),
            "{error}"
        );
        let mut existing = args("acme-rules");
        existing.dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        existing.name = "host".to_owned();
        assert!(
            Plan::new(&existing)
                .unwrap_err()
                .to_string()
                .contains("already exists")
        );
    }
}
