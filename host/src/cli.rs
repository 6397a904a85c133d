//! The command line, as clap derive structs: what the user typed, checked, with no I/O.
//!
//! Field doc comments are the `--help` text. Everything downstream takes plain values, never
//! clap types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Exit status:
  0  nothing at or above --fail-on (new against --baseline, when given)
  1  findings at or above --fail-on
  2  the run cannot be trusted: bad input (snapshot, config, pack, flags), a pack that would
     not load, a rule error, or AWS calls that failed during collection (unless --allow-partial)

Configuration: .trailwarden.toml in the working directory (or --config FILE) sets fail_on,
allow_partial, regions, rule_dirs, [rules] enable/disable, [settings.RULE-ID], [[suppress]]
and [[locations]]; flags win over it. See the README.

Examples:
  trailwarden check                                collect from the configured AWS account and check it
  trailwarden check --profile audit --regions eu-west-1,us-east-1
  trailwarden snapshot -o account.json             save what the rules need, to check later
  trailwarden check --demo                         check the embedded demo account
  trailwarden check --snapshot account.json        check a saved snapshot
  trailwarden check --snapshot account.json --format sarif -o trailwarden.sarif
  trailwarden check --snapshot account.json --baseline main.sarif   gate on new findings only
  trailwarden check --snapshot account.json --rules ./packs --settings settings.json
  trailwarden rules list                           the rules and what they map to
  trailwarden rules explain TW-CT-001              one rule's documentation
  trailwarden rules new acme-rules                 start a pack of your own rules";

const RULES_HELP: &str = "\
Rules come in packs: the built-in ones are embedded, and --rules DIR adds every .wasm in DIR.
A rule id may be declared once across all packs.

Writing your own (docs/writing-rules.md has the whole story):
  trailwarden rules new acme-rules                 a crate with a sample rule, fixtures and tests
  cd acme-rules && cargo test                      the rules natively
  cargo build --release --target wasm32-unknown-unknown
  trailwarden rules test                           the same fixtures through the .wasm, in the sandbox
  trailwarden rules list --rules target/wasm32-unknown-unknown/release
  trailwarden check --snapshot account.json --rules target/wasm32-unknown-unknown/release";

const LIST_HELP: &str = "\
Examples:
  trailwarden rules list                           the built-in rules
  trailwarden rules list --rules ./packs           with your packs (file and SDK version shown)
  trailwarden rules list --format json | jq -r '.[].id'";

const EXPLAIN_HELP: &str = "\
Examples:
  trailwarden rules explain TW-KMS-001
  trailwarden rules explain ACME-KMS-001 --rules ./packs
  trailwarden rules explain TW-KMS-003 --format json | jq .settings";

const NEW_HELP: &str = "\
The crate holds a sample rule that checks a requirement on the monitoring chain, a native test,
and fixture cases (tests/cases/NAME.json snapshots with NAME.expected.json findings).

The crate depends on trailwarden-sdk from crates.io by default (`trailwarden-sdk = \"0.2\"`, the
SDK this trailwarden speaks), so it builds on any machine. --sdk git takes the SDK from this
release's tag in the trailwarden repository, --sdk path=DIR from a local checkout's sdk/.

Examples:
  trailwarden rules new acme-rules
  trailwarden rules new acme-rules --dir ~/src --id-prefix ACME
  trailwarden rules new acme-rules --sdk git
  trailwarden rules new acme-rules --sdk path=~/src/trailwarden/sdk";

const TEST_HELP: &str = "\
Each case is a pair in the cases directory: NAME.json, a snapshot, and NAME.expected.json, the
findings the pack must report on it (rule, reason, and optionally level, resource, region,
outcome, messageContains), plus optional settings, rules and now. The format is described in
docs/writing-rules.md. `cargo test` runs the same files natively with
trailwarden_sdk::testing::assert_cases.

Exit status:
  0  every case passed
  1  a case failed (the diff shows expected and reported findings)
  2  bad input: no cases, an unreadable case or snapshot, a pack that does not load

Examples:
  trailwarden rules test                           in a pack crate, after cargo build --release --target wasm32-unknown-unknown
  trailwarden rules test path/to/pack --rules path/to/pack/target/wasm32-unknown-unknown/release
  trailwarden rules test --cases tests/regressions";

/// Checks that AWS KMS monitoring would really tell someone.
///
/// trailwarden follows each chain (CloudTrail trail, CloudWatch Logs metric filter, metric,
/// alarm, SNS topic with a confirmed subscription) by identity, evaluates filter patterns on
/// real CloudTrail records, and reports the link that breaks. Rules are WebAssembly packs run in
/// a sandbox; the built-in ones are embedded.
#[derive(Debug, Parser)]
#[command(
    name = "trailwarden",
    version,
    long_version = crate::version::LONG_VERSION.as_str(),
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// More diagnostics on stderr (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the rules against an account snapshot and report what would not alert.
    #[command(after_help = AFTER_HELP)]
    Check(CheckArgs),
    /// Collect what the rules need from AWS and write it as a snapshot file.
    ///
    /// Credentials, region and endpoints come from the standard AWS chain (environment,
    /// profiles, SSO, container and instance roles; AWS_ENDPOINT_URL for emulators). Every
    /// enabled region is read concurrently; a call that fails is recorded in the snapshot next
    /// to the section it left empty, and the collection goes on.
    Snapshot(SnapshotArgs),
    /// List, explain, create and test rule packs.
    #[command(subcommand, after_help = RULES_HELP)]
    Rules(RulesCommand),
    /// Test a filter pattern (or, with --eventbridge, an event pattern) against an event.
    ///
    /// EVENT is a CloudTrail record, a CloudTrail log file ({"Records": [...]}), or plain log
    /// lines; "-" reads stdin. For a JSON pattern it shows which conditions held and which
    /// failed. Exit status as grep's: 0 match, 1 no match, 2 the pattern or event is unusable.
    #[command(name = "test-pattern")]
    TestPattern {
        /// The pattern, e.g. '{ $.eventName = "DisableKey" }'.
        pattern: String,
        /// The event file, or - for stdin.
        #[arg(default_value = "-")]
        event: PathBuf,
        /// PATTERN is an EventBridge event pattern; a CloudTrail record is wrapped in the
        /// envelope EventBridge builds (source aws.kms, detail-type "AWS API Call via CloudTrail").
        #[arg(long)]
        eventbridge: bool,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    ///
    /// bash: `trailwarden completions bash >
    /// ~/.local/share/bash-completion/completions/trailwarden`; zsh: write it as `_trailwarden` into a directory of your $fpath; fish: into
    /// ~/.config/fish/completions/trailwarden.fish; PowerShell: `trailwarden completions
    /// powershell | Out-String | Invoke-Expression` in your profile.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (`trailwarden man | man -l -`), or write all pages into a directory.
    Man {
        /// Write trailwarden.1 and one page per subcommand (trailwarden-check.1, …) into DIR,
        /// e.g. /usr/local/share/man/man1, instead of printing trailwarden.1.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

/// Options of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A snapshot file written by `trailwarden snapshot` (or by hand); `-` reads stdin.
    #[arg(long, value_name = "FILE", conflicts_with = "demo")]
    pub snapshot: Option<PathBuf>,

    /// Check the embedded demo account (a realistic account with some links broken). It is
    /// judged as of the time it was collected, so its report is the same on every day.
    #[arg(long)]
    pub demo: bool,

    /// Judge time-dependent facts (key material that expires, deletions that are pending,
    /// events within a window) as of TIME, an RFC 3339 time such as 2026-11-25T10:00:00Z,
    /// instead of now. Use it to replay a saved snapshot as it looked on a given day.
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// For several accounts (--org, --accounts, a snapshot directory): write one report per
    /// account into DIR, as ACCOUNT.sarif (or .json, .txt, .md, .html by --format), each SARIF
    /// file one run with the account's own code-scanning category. GitHub accepts at most 20
    /// runs per SARIF file, so an organization uploads one file per account.
    #[arg(long, value_name = "DIR", conflicts_with = "output")]
    pub output_dir: Option<PathBuf>,

    /// Exit 1 when a finding is at or above this level [default: warning, or `fail_on` in the
    /// configuration].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Gate on findings even when some AWS calls failed during collection (exit 0 or 1, not 2);
    /// what could not be verified is still reported.
    #[arg(long)]
    pub allow_partial: bool,

    /// Compare with a previous SARIF report from trailwarden: only findings that are new
    /// against it fail the gate, and the report counts new, unchanged and fixed.
    #[arg(long, value_name = "SARIF")]
    pub baseline: Option<PathBuf>,

    /// Read this configuration file instead of ./.trailwarden.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Run only these rule ids (comma-separated; `*` globs such as TW-KMS-*).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub only: Vec<String>,

    /// Rule settings: a JSON file mapping rule ids to their settings, e.g.
    /// {"TW-KMS-003": {"operations": ["Decrypt", "Encrypt"]}}. A bad value is an error of that
    /// rule naming the key; `rules explain ID` lists a rule's settings.
    #[arg(long, value_name = "FILE")]
    pub settings: Option<PathBuf>,

    /// Collect from AWS even when no AWS configuration is visible in the environment or in
    /// ~/.aws (an instance or container role, say). Without --snapshot or --demo, a visible
    /// configuration or any of --profile, --region, --regions, --role-arn implies it.
    #[arg(long, conflicts_with_all = ["snapshot", "demo"])]
    pub live: bool,

    /// After a live collection, also write the snapshot to FILE (SARIF results then point
    /// into it).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["snapshot", "demo"])]
    pub save_snapshot: Option<PathBuf>,

    /// Check infrastructure code before it is deployed (repeatable): a CloudFormation
    /// template (YAML or JSON), a CDK cloud assembly directory (cdk.out), a Terraform plan in
    /// JSON (terraform show -json) or a directory of .tf files. Findings point at the file and
    /// line. With --snapshot (or --live) the code is laid over the deployed account.
    #[arg(long = "iac", value_name = "PATH", conflicts_with = "demo")]
    pub iac: Vec<PathBuf>,

    /// A value for the infrastructure code (repeatable): a template parameter, a Terraform
    /// variable, a pseudo parameter (AWS::AccountId, AWS::Region) or an Fn::ImportValue export
    /// name.
    #[arg(long = "iac-parameter", value_name = "NAME=VALUE", value_parser = crate::iac::parse_parameter_arg, requires = "iac")]
    pub iac_parameters: Vec<(String, String)>,

    /// Treat e-mail and HTTP(S) subscriptions in the code as confirmed. By default they are
    /// PendingConfirmation, as SNS lists them until their owner confirms, and findings say so.
    #[arg(long, requires = "iac")]
    pub iac_assume_confirmed: bool,

    #[command(flatten)]
    pub collect: CollectArgs,

    #[command(flatten)]
    pub packs: PackArgs,
}

/// Options of `snapshot`.
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// Write the snapshot to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Collect only what these rule ids need (comma-separated); default: every loaded rule.
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub only: Vec<String>,

    /// Read this configuration file instead of ./.trailwarden.toml (its `regions`, `rule_dirs`
    /// and `[rules]` decide what is collected, as for `check`).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    pub collect: CollectArgs,

    #[command(flatten)]
    pub packs: PackArgs,
}

/// How to reach AWS and what to read; shared by `snapshot` and live `check`.
#[derive(Debug, Args, Clone)]
pub struct CollectArgs {
    /// The named profile of ~/.aws/config to use (AWS_PROFILE works too).
    #[arg(long, value_name = "NAME", help_heading = "AWS collection")]
    pub profile: Option<String>,

    /// The region for account-wide calls (STS, region discovery) [default: from the profile or
    /// AWS_REGION, else us-east-1].
    #[arg(long, value_name = "REGION", help_heading = "AWS collection")]
    pub region: Option<String>,

    /// Collect these regions only (comma-separated) instead of every region enabled for the
    /// account (found with account:ListRegions).
    #[arg(
        long,
        value_name = "REGIONS",
        value_delimiter = ',',
        help_heading = "AWS collection"
    )]
    pub regions: Vec<String>,

    /// Assume this IAM role first (e.g. a read-only audit role in another account).
    #[arg(long, value_name = "ARN", help_heading = "AWS collection")]
    pub role_arn: Option<String>,

    /// The external id the role's trust policy requires (--role-arn, or the member role of
    /// --org and --accounts).
    #[arg(long, value_name = "ID", help_heading = "AWS collection")]
    pub external_id: Option<String>,

    /// The session name of the assumed role, as CloudTrail will record it.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "trailwarden",
        help_heading = "AWS collection"
    )]
    pub role_session_name: String,

    /// How far back to read CloudTrail events: a duration (90s, 60m, 12h, 7d) or an RFC 3339
    /// time.
    #[arg(
        long,
        value_name = "WHEN",
        default_value = "60m",
        help_heading = "AWS collection"
    )]
    pub since: String,

    /// The end of the events window, an RFC 3339 time [default: now].
    #[arg(long, value_name = "TIME", help_heading = "AWS collection")]
    pub until: Option<String>,

    /// Also read CloudTrail records from PATH: a log file ({"Records": [...]}, .json or
    /// .json.gz) or a directory tree of them, as CloudTrail delivers to S3 (repeatable).
    #[arg(long = "events", value_name = "PATH", help_heading = "AWS collection")]
    pub event_paths: Vec<PathBuf>,

    /// Do not call cloudtrail:LookupEvents (read events only from --events and
    /// --events-log-group).
    #[arg(long, help_heading = "AWS collection")]
    pub no_lookup_events: bool,

    /// Also read KMS events from each trail's CloudWatch Logs log group (logs:FilterLogEvents).
    #[arg(long, help_heading = "AWS collection")]
    pub events_log_group: bool,

    /// Stop reading events from one region's LookupEvents (or one log group) after N records,
    /// and record the section as incomplete. LookupEvents serves 50 records per call and two
    /// calls a second, so a busy account's hour of Decrypt calls could otherwise take minutes.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 10_000,
        help_heading = "AWS collection"
    )]
    pub max_events: usize,

    /// Keep SNS subscription endpoints (e-mail addresses, URLs, phone numbers) in the snapshot
    /// instead of `<redacted>`.
    #[arg(long, help_heading = "AWS collection")]
    pub no_redact: bool,

    /// At most this many AWS calls in flight at once, over all regions.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 32,
        help_heading = "AWS collection"
    )]
    pub max_in_flight: usize,

    /// Seconds one attempt of one AWS call may take before it counts as timed out.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 20,
        help_heading = "AWS collection"
    )]
    pub call_timeout: u64,

    /// Attempts per AWS call, with adaptive back-off on throttling.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 5,
        help_heading = "AWS collection"
    )]
    pub max_attempts: u32,

    /// No progress bar and no summary on stderr.
    #[arg(short, long, help_heading = "AWS collection")]
    pub quiet: bool,

    /// Check every active account of the AWS Organization: run from the management account or
    /// a delegated administrator; each member is entered through --member-role.
    #[arg(long, help_heading = "Organizations")]
    pub org: bool,

    /// These accounts only (comma-separated): with --org, a filter of the organization's
    /// accounts; without it, the list to check, entered through --member-role.
    #[arg(
        long,
        value_name = "IDS",
        value_delimiter = ',',
        help_heading = "Organizations"
    )]
    pub accounts: Vec<String>,

    /// Leave these accounts out (comma-separated).
    #[arg(
        long,
        value_name = "IDS",
        value_delimiter = ',',
        help_heading = "Organizations"
    )]
    pub exclude_accounts: Vec<String>,

    /// The role assumed in each member account (--external-id applies).
    #[arg(
        long,
        value_name = "NAME",
        default_value = crate::collect::org::DEFAULT_MEMBER_ROLE,
        help_heading = "Organizations"
    )]
    pub member_role: String,

    /// Collect the K-th of N disjoint parts of the accounts (e.g. 2/4), for a CI matrix; check
    /// a directory of the shards' snapshots with `check --snapshot DIR`.
    #[arg(long, value_name = "K/N", help_heading = "Organizations")]
    pub shard: Option<crate::collect::org::Shard>,

    /// With --org: do not read the organization's CloudWatch Logs centralization rules
    /// (members' chains are then not followed into a central logging account).
    #[arg(long, help_heading = "Organizations")]
    pub no_centralization: bool,
}

impl CollectArgs {
    /// Whether several accounts are asked for (`--org` or `--accounts`).
    pub fn asks_for_accounts(&self) -> bool {
        self.org || !self.accounts.is_empty()
    }
}

impl CollectArgs {
    /// Whether the user asked for anything that only makes sense for a live collection.
    pub fn asks_for_aws(&self) -> bool {
        self.profile.is_some()
            || self.region.is_some()
            || !self.regions.is_empty()
            || self.role_arn.is_some()
    }
}

/// Where packs come from and how they run; shared by `check` and `rules`.
#[derive(Debug, Args, Clone)]
pub struct PackArgs {
    /// Also load every `.wasm` pack in DIR (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,

    /// Seconds one call into a pack may run before its rule is stopped.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub rule_timeout: u64,

    /// Seconds one pack may run in all, retries after a stopped rule included; the rules left
    /// when it is spent fail, other packs are unaffected (at least --rule-timeout).
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub pack_timeout: u64,

    /// MiB of memory one pack may use.
    #[arg(long, value_name = "MIB", default_value_t = 512)]
    pub rule_memory: usize,

    /// MiB of memory all packs running at once may use together; a pack waits for room
    /// (at least --rule-memory).
    #[arg(long, value_name = "MIB", default_value_t = 1024)]
    pub memory_budget: usize,

    /// MiB of output (findings as JSON) one pack may return.
    #[arg(long, value_name = "MIB", default_value_t = 32)]
    pub rule_output: usize,

    /// Findings kept per rule; the rest are dropped, counted and reported.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub max_findings: usize,

    /// Findings kept over the whole run, across every pack; past it, findings are dropped and
    /// the run is incomplete (exit 2).
    #[arg(long, value_name = "N", default_value_t = 50_000)]
    pub max_total_findings: usize,

    /// Do not read or write the compiled-pack cache.
    #[arg(long)]
    pub no_cache: bool,

    /// Where compiled packs are cached [default: ~/.cache/trailwarden/modules].
    #[arg(long, value_name = "DIR", env = "TRAILWARDEN_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Key authenticating cached packs [default: ~/.config/trailwarden/cache.key].
    #[arg(long, value_name = "FILE", env = "TRAILWARDEN_CACHE_KEY")]
    pub cache_key: Option<PathBuf>,
}

/// `rules` subcommands.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Compile every pack into the cache now, so later runs skip compilation (for CI images).
    Precompile {
        #[command(flatten)]
        packs: PackArgs,
    },
    /// List every rule of the loaded packs.
    #[command(after_help = LIST_HELP)]
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// Print one rule's documentation, mappings and settings.
    #[command(after_help = EXPLAIN_HELP)]
    Explain {
        /// The rule id, e.g. TW-CT-001.
        id: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// Create a rule pack crate: a sample rule, a native test and fixture cases.
    #[command(after_help = NEW_HELP)]
    New(NewArgs),
    /// Run a pack's fixture cases through its .wasm in the sandbox and diff the findings.
    #[command(after_help = TEST_HELP)]
    Test(TestArgs),
}

/// Options of `rules new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The crate name: lower-case letters, digits and dashes, e.g. acme-rules.
    pub name: String,

    /// Create the crate in DIR/NAME.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    /// Where the pack gets trailwarden-sdk: `version` (crates.io), `git` (this release's tag of
    /// the trailwarden repository) or `path=DIR` (the sdk/ directory of a checkout).
    #[arg(long, value_name = "SOURCE", default_value = "version", value_parser = parse_sdk_source)]
    pub sdk: SdkSource,

    /// For trailwarden's own tests: keep the crates.io dependency but add a `[patch.crates-io]`
    /// pointing at this SDK source, so a new pack builds offline against a checkout.
    #[arg(long, hide = true, value_name = "DIR", env = "TRAILWARDEN_SDK_PATH")]
    pub sdk_patch: Option<PathBuf>,

    /// The rule id prefix [default: the first word of NAME, upper-cased: ACME for acme-rules].
    #[arg(long, value_name = "PREFIX")]
    pub id_prefix: Option<String>,
}

/// Where a new pack gets `trailwarden-sdk` from (`rules new --sdk`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SdkSource {
    /// The published crate, by version requirement.
    Version,
    /// The trailwarden repository at the tag of this release.
    Git,
    /// A local source directory.
    Path(PathBuf),
}

/// Parses `version`, `git` or `path=DIR`.
fn parse_sdk_source(text: &str) -> Result<SdkSource, String> {
    match text {
        "version" => Ok(SdkSource::Version),
        "git" => Ok(SdkSource::Git),
        _ => match text.strip_prefix("path=") {
            Some("") => Err("path= needs a directory, e.g. path=../trailwarden/sdk".to_owned()),
            Some(dir) => Ok(SdkSource::Path(PathBuf::from(dir))),
            None => Err(format!(
                "`{text}` is not an SDK source: use version, git or path=DIR"
            )),
        },
    }
}

/// Options of `rules test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// The pack crate, or any directory with a tests/cases directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// The directory of cases [default: DIR/tests/cases].
    #[arg(long, value_name = "DIR")]
    pub cases: Option<PathBuf>,

    /// Build the pack first (`cargo build --release --target wasm32-unknown-unknown` in DIR).
    /// Without it, a .wasm older than the crate's sources is refused: it would test the pack
    /// as it was, not as it is.
    #[arg(long)]
    pub build: bool,

    /// Where the packs under test are: `--rules DIR` (repeatable) [default:
    /// DIR/target/wasm32-unknown-unknown/release, where cargo builds them].
    #[command(flatten)]
    pub packs: PackArgs,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// For scripts: findings, could-not-verify results and rule errors.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub markdown, for a job summary or pull-request comment: a table of rules and a
    /// Mermaid diagram of each broken chain; at most 65,536 characters.
    Markdown,
    /// One self-contained HTML page: each broken chain drawn as SVG, findings filterable by
    /// rule, account and region; no script, no network.
    Html,
}

/// Formats of `rules list` and `rules explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// For people.
    Text,
    /// For scripts.
    Json,
}

/// The gate threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Only errors fail the run.
    Error,
    /// Warnings and errors fail the run.
    Warning,
    /// Any finding fails the run.
    Note,
    /// Findings never fail the run (rule errors still exit 2).
    None,
}
