//! CloudTrail log files on disk (`--events PATH`): one file, `.json` or `.json.gz`, or the
//! folder tree CloudTrail delivers to S3 (`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/`),
//! synced with `aws s3 sync`.
//!
//! A file that is not a CloudTrail log file is an error naming it: silently skipping it would
//! make a detection rule report "nothing happened" over events it never saw. So is a KMS record
//! in the window that is not a CloudTrail record (no `eventName`, a field of the wrong type),
//! named by its index in `Records`. Digest files (`CloudTrail-Digest`), which sit in the same
//! tree, are skipped by name.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;
use trailwarden_sdk::events::CloudTrailRecord;
use trailwarden_sdk::time::parse_rfc3339;

/// Why the events on disk could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventsFileError {
    /// The file or directory could not be read.
    #[error("cannot read CloudTrail events from {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a CloudTrail log file.
    #[error("{} is not a CloudTrail log file: {reason}", path.display())]
    Malformed {
        /// The path.
        path: PathBuf,
        /// What is wrong, with the line and column for JSON errors.
        reason: String,
    },
}

/// The records read from disk, and how many were left out.
#[derive(Debug, Default)]
pub struct FileEvents {
    /// KMS records inside the window.
    pub records: Vec<CloudTrailRecord>,
    /// Files read.
    pub files: usize,
    /// Records outside the window, from another service, or without a time.
    pub skipped: usize,
}

/// Reads every CloudTrail log file under `paths`, keeping the KMS records whose `eventTime` is
/// within `[start, end]` (Unix seconds).
pub fn read(paths: &[PathBuf], (start, end): (i64, i64)) -> Result<FileEvents, EventsFileError> {
    let mut events = FileEvents::default();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|source| EventsFileError::Io {
            path: path.clone(),
            source,
        })?;
        let files = if metadata.is_dir() {
            let mut files = Vec::new();
            walk(path, &mut files)?;
            files.sort();
            files
        } else {
            vec![path.clone()]
        };
        for file in files {
            let records = read_file(&file)?;
            events.files += 1;
            for (index, record) in records.into_iter().enumerate() {
                if !keep(&record, start, end) {
                    events.skipped += 1;
                    continue;
                }
                let record = CloudTrailRecord::try_from(record).map_err(|error| {
                    EventsFileError::Malformed {
                        path: file.clone(),
                        reason: format!("record {index} {error}"),
                    }
                })?;
                events.records.push(record);
            }
        }
    }
    Ok(events)
}

fn keep(record: &Value, start: i64, end: i64) -> bool {
    let source = record.get("eventSource").and_then(Value::as_str);
    let time = record
        .get("eventTime")
        .and_then(Value::as_str)
        .and_then(|time| parse_rfc3339(time).ok());
    source == Some(super::cloudtrail::KMS_EVENT_SOURCE)
        && time.is_some_and(|time| (start..=end).contains(&time))
}

/// Collects the log files under `dir`: `*.json` and `*.json.gz`, not digests, not hidden.
fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), EventsFileError> {
    let io = |source| EventsFileError::Io {
        path: dir.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let kind = entry.file_type().map_err(io)?;
        if kind.is_dir() {
            if name != "CloudTrail-Digest" {
                walk(&path, files)?;
            }
        } else if (name.ends_with(".json") || name.ends_with(".json.gz"))
            && !name.contains("CloudTrail-Digest")
        {
            files.push(path);
        }
    }
    Ok(())
}

/// The `Records` of one log file, gzip or not (decided by the content, not the name).
pub fn read_file(path: &Path) -> Result<Vec<Value>, EventsFileError> {
    let bytes = std::fs::read(path).map_err(|source| EventsFileError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let malformed = |reason: String| EventsFileError::Malformed {
        path: path.to_path_buf(),
        reason,
    };
    let text = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut text = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .read_to_end(&mut text)
            .map_err(|error| malformed(format!("it is not valid gzip ({error})")))?;
        text
    } else {
        bytes
    };
    let mut value: Value = serde_json::from_slice(&text)
        .map_err(|error| malformed(format!("it is not JSON ({error})")))?;
    let Some(records) = value.get_mut("Records").map(Value::take) else {
        return Err(malformed(
            "expected an object with a \"Records\" array, as CloudTrail writes".to_owned(),
        ));
    };
    match records {
        Value::Array(records) => {
            if let Some(index) = records.iter().position(|record| !record.is_object()) {
                return Err(malformed(format!("record {index} is not an object")));
            }
            Ok(records)
        }
        _ => Err(malformed("\"Records\" is not an array".to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tw-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    fn record(name: &str, time: &str) -> String {
        format!(
            r#"{{"eventSource": "kms.amazonaws.com", "eventName": "{name}", "eventTime": "{time}", "eventID": "{name}-{time}"}}"#
        )
    }

    #[test]
    fn a_delivery_tree_is_read_gzip_included_digests_skipped() {
        let root = dir("tree");
        let day = root.join("AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/25");
        std::fs::create_dir_all(&day).expect("tree");
        let log = format!(
            r#"{{"Records": [{}, {}, {{"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "eventTime": "2026-11-25T09:10:00Z"}}]}}"#,
            record("DisableKey", "2026-11-25T09:10:00Z"),
            record("ScheduleKeyDeletion", "2026-11-24T09:10:00Z"),
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(log.as_bytes()).expect("gzip");
        std::fs::write(
            day.join("a_CloudTrail_eu-west-1_x.json.gz"),
            gz.finish().expect("gzip"),
        )
        .expect("write");
        let digest = root.join("AWSLogs/111122223333/CloudTrail-Digest/eu-west-1");
        std::fs::create_dir_all(&digest).expect("digest dir");
        std::fs::write(digest.join("d.json.gz"), b"not gzip").expect("write");
        std::fs::write(day.join("README.txt"), b"ignored").expect("write");

        let start = parse_rfc3339("2026-11-25T09:00:00Z").expect("time");
        let end = parse_rfc3339("2026-11-25T10:00:00Z").expect("time");
        let events = read(&[root], (start, end)).expect("reads");
        assert_eq!(events.files, 1);
        assert_eq!(events.records.len(), 1, "{:?}", events.records);
        assert_eq!(events.records[0].event_name(), "DisableKey");
        assert_eq!(events.skipped, 2);
    }

    #[test]
    fn a_malformed_file_is_an_error_naming_it() {
        let root = dir("bad");
        let cases = [
            ("truncated.json", &b"{\"Records\": ["[..], "is not JSON"),
            (
                "no-records.json",
                &b"{\"records\": []}"[..],
                "\"Records\" array",
            ),
            (
                "not-array.json",
                &b"{\"Records\": {}}"[..],
                "is not an array",
            ),
            (
                "scalar.json",
                &b"{\"Records\": [1]}"[..],
                "record 0 is not an object",
            ),
            (
                "no-name.json",
                &br#"{"Records": [{"eventSource": "s3.amazonaws.com"},
                     {"eventSource": "kms.amazonaws.com", "eventTime": "2026-11-25T09:10:00Z"}]}"#
                    [..],
                "record 1 has no `eventName`",
            ),
            (
                "wrong-type.json",
                &br#"{"Records": [{"eventSource": "kms.amazonaws.com", "eventName": "DisableKey",
                     "eventTime": "2026-11-25T09:10:00Z", "userIdentity": {"arn": 7}}]}"#[..],
                "record 0 has `userIdentity.arn` as a number, not a string",
            ),
            ("bad.json.gz", &b"\x1f\x8bgarbage"[..], "not valid gzip"),
        ];
        for (name, text, expected) in cases {
            let path = root.join(name);
            std::fs::write(&path, text).expect("write");
            let error = read(std::slice::from_ref(&path), (0, i64::MAX))
                .expect_err(name)
                .to_string();
            assert!(error.contains(name), "{error}");
            assert!(error.contains(expected), "{name}: {error}");
        }
        let missing = root.join("missing.json");
        let error = read(&[missing], (0, 1)).expect_err("missing").to_string();
        assert!(error.contains("missing.json"), "{error}");
    }
}
