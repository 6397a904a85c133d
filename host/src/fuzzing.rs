//! The bodies of the fuzz targets in `fuzz/` (`envelope_parse`, `snapshot_load`,
//! `iac_template`), as plain
//! functions: cargo-fuzz needs nightly, so the unit tests below run the same bodies on a few
//! seeds in every build, and a fuzzer finding a panic here finds it in the real code path.

use trailwarden_sdk::Snapshot;
use trailwarden_sdk::sections::SectionSet;

use crate::engine::envelope::{self, Bounds};

/// Small bounds, so that the fuzzer reaches every cap quickly.
fn bounds() -> Bounds {
    Bounds {
        findings_per_rule: 3,
        string_bytes: 32,
        finding_bytes: 2048,
        related: 2,
        properties: 2,
        property_bytes: 64,
        log_lines: 2,
    }
}

/// Parses `data` as a pack's output envelope for rules `A` and `B`: never panics, and whatever
/// is kept is within the bounds.
pub fn envelope_parse(data: &[u8]) {
    let requested = ["A".to_owned(), "B".to_owned()];
    let bounds = bounds();
    let Ok(outputs) = envelope::parse(data, &requested, &bounds) else {
        return;
    };
    assert!(
        outputs.len() <= requested.len(),
        "one result per requested rule"
    );
    for output in outputs {
        assert!(requested.contains(&output.rule_id));
        assert!(output.logs.len() <= bounds.log_lines);
        let within = |text: &str| text.len() <= bounds.string_bytes + '…'.len_utf8();
        assert!(output.logs.iter().all(|line| within(line)));
        match output.outcome {
            Ok((findings, _)) => {
                assert!(findings.len() <= bounds.findings_per_rule);
                for finding in findings {
                    assert_eq!(finding.rule_id, output.rule_id);
                    assert!(within(&finding.message) && within(&finding.reason));
                    assert!(finding.related.len() <= bounds.related);
                    assert!(finding.properties.len() <= bounds.properties);
                    assert!(!finding.message.chars().any(char::is_control));
                }
            }
            Err(failure) => assert!(!failure.message.chars().any(char::is_control)),
        }
    }
}

/// Loads `data` as a snapshot the way `check --snapshot` does, and writes a pack's input from
/// it: never panics, and what is written reads back.
pub fn snapshot_load(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(snapshot) = Snapshot::from_json(text) else {
        return;
    };
    let all = SectionSet::all();
    if let Ok(json) = snapshot.view(all).for_reader(all).to_json() {
        let again = std::str::from_utf8(&json).map(Snapshot::from_json);
        assert!(
            matches!(again, Ok(Ok(_))),
            "a pack's input written from a snapshot must read back"
        );
    }
}

/// Reads `data` as a CloudFormation template the way `check --iac` does (YAML, or JSON when it
/// starts with `{`): never panics, and every error names the file.
pub fn iac_template(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let options = crate::iac::ReadOptions::default();
    let result = crate::iac::cloudformation::parse("fuzz.yaml", text)
        .and_then(|root| crate::iac::cloudformation::convert("fuzz.yaml", &root, &options, "s"));
    if let Err(error) = result {
        assert!(error.to_string().starts_with("fuzz.yaml:"), "{error}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_seeds() {
        let seeds: [&[u8]; 6] = [
            br#"{"results":[{"ruleId":"A","status":"ok","findings":[{"outcome":"fail","reason":"R","message":"m\u001b"}],"logs":["a","b","c"]}]}"#,
            br#"{"results":[{"ruleId":"B","status":"error","kind":"panic","message":"\u202e"},{"ruleId":"A","status":"ok","findings":[]}]}"#,
            br#"{"results":[{"ruleId":"A","status":"ok","dropped":18446744073709551615,"findings":[1,2,3,4,5]}]}"#,
            br#"{"results":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"#,
            b"\xff\xfe",
            b"",
        ];
        for seed in seeds {
            envelope_parse(seed);
        }
    }

    #[test]
    fn iac_template_seeds_and_their_mutations() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/iac/cloudformation");
        let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
            .collect();
        seeds.push(
            b"Resources: {A: {Type: AWS::SNS::Topic, Properties: {TopicName: !Sub '${'}}}".to_vec(),
        );
        seeds.push(
            b"{\"Resources\": {\"A\": {\"Type\": \"AWS::Logs::MetricFilter\", \"Properties\": 7}}}"
                .to_vec(),
        );
        for seed in &seeds {
            iac_template(seed);
            // Cut short, and with one byte changed, at many places: still no panic.
            for at in (0..seed.len()).step_by(41) {
                iac_template(&seed[..at]);
                let mut changed = seed.clone();
                let bytes = b"{}[]:!-'\"\n &*";
                changed[at] = bytes[at % bytes.len()];
                iac_template(&changed);
            }
        }
    }

    #[test]
    fn snapshot_seeds() {
        let demo = crate::builtin::DEMO_SNAPSHOT.as_bytes();
        for seed in [demo, &demo[..demo.len() / 2], b"{}", b"null", b"\xff"] {
            snapshot_load(seed);
        }
    }
}
