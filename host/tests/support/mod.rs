//! The AWS emulator for collection tests and the benchmark: moto in server mode on a free
//! 127.0.0.1 port, started here and killed on drop, behind a small front proxy.
//!
//! The front does two things moto cannot:
//! - **CloudWatch over CBOR.** Current AWS SDKs speak Smithy RPC v2 CBOR to CloudWatch; moto
//!   5.2.5 speaks only its Query and JSON protocols. The front re-encodes CBOR requests as JSON
//!   1.0 (`X-Amz-Target: GraniteServiceVersion20100801.<Op>`) and the JSON answers as CBOR,
//!   tagging `*Timestamp` members as CBOR epoch times.
//! - **Injected failures.** A [`Fault`] answers matching calls (service, region, operation)
//!   with an AWS error or a delay, to test AccessDenied, throttling and timeouts.
//!
//! Nothing leaves 127.0.0.1. moto is found through `TRAILWARDEN_MOTO` (set by `tests/run`,
//! which installs the pinned `moto[server]` into `target/py`), then `target/py/bin/moto_server`,
//! then `PATH`. A missing moto is a test failure, never a skip.

#![allow(dead_code)] // each test binary uses a different part

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The pinned moto version `tests/run` installs.
pub const MOTO_VERSION: &str = "5.2.5";

/// The account moto serves by default.
pub const ACCOUNT: &str = "123456789012";

/// A fresh directory `tw-<suite>-<name>-<pid>` under the system's temporary directory.
pub fn temp(suite: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tw-{suite}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The `trailwarden` binary under test with no AWS configuration but what `env` gives it
/// (usually [`Emulator::env`]), its home and cache in `home`. Only test binaries know where
/// cargo built it; a benchmark example passes its own path to [`Command::new`] instead.
pub fn trailwarden(home: &Path, env: &[(String, String)]) -> Command {
    let Some(binary) = option_env!("CARGO_BIN_EXE_trailwarden") else {
        panic!("support::trailwarden: only integration tests know the binary's path");
    };
    let mut command = Command::new(binary);
    for (key, _) in std::env::vars() {
        if key.starts_with("AWS_") {
            command.env_remove(key);
        }
    }
    command
        .env("HOME", home)
        // Never let the SDK probe the instance metadata address: tests stay on 127.0.0.1.
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("TRAILWARDEN_CACHE_DIR", home.join("cache"))
        .env_remove("RUST_LOG")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    command
}

/// A command's standard error, as text.
pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A JSON file the binary wrote.
pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("file written");
    serde_json::from_str(&text).expect("file is JSON")
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The `moto_server` executable, or a panic saying how to install it.
pub fn moto_server() -> PathBuf {
    if let Some(path) = std::env::var_os("TRAILWARDEN_MOTO").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    let venv = repo().join("target/py/bin/moto_server");
    if venv.is_file() {
        return venv;
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join("moto_server");
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "moto_server not found: run tests/run (it installs moto[server]=={MOTO_VERSION} into \
         target/py), or set TRAILWARDEN_MOTO to a moto_server executable"
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port on 127.0.0.1")
}

/// A running moto server; killed when dropped.
pub struct Moto {
    child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

impl Moto {
    /// Starts moto on a free port and waits until it answers.
    pub fn start() -> Self {
        let exe = moto_server();
        let mut last_error = String::new();
        for _ in 0..3 {
            let port = free_port();
            let child = Command::new(&exe)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
            let mut moto = Moto { child, port };
            match moto.wait_ready(Duration::from_secs(60)) {
                Ok(()) => return moto,
                Err(error) => last_error = error,
            }
        }
        panic!("moto did not start: {last_error}");
    }

    fn wait_ready(&mut self, limit: Duration) -> Result<(), String> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("moto_server exited with {status}"));
            }
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) {
                let request = "GET /moto-api/data.json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
                let mut answer = String::new();
                if stream.write_all(request.as_bytes()).is_ok()
                    && stream.read_to_string(&mut answer).is_ok()
                    && answer.starts_with("HTTP/1.")
                {
                    return Ok(());
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!("no answer on port {} within {limit:?}", self.port))
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What an injected failure does.
#[derive(Debug, Clone)]
pub enum FaultKind {
    /// Answer with this AWS error code and HTTP status.
    Error {
        /// HTTP status.
        status: u16,
        /// AWS error code.
        code: String,
    },
    /// Wait this long before forwarding (for timeouts).
    Delay(Duration),
}

/// An injected failure for calls to `service` (the SigV4 signing name: `logs`, `monitoring`,
/// `kms`, …), optionally only in `region` and only for `operation`.
#[derive(Debug, Clone)]
pub struct Fault {
    /// Signing name of the service.
    pub service: String,
    /// Region, or every region.
    pub region: Option<String>,
    /// Operation, or every operation.
    pub operation: Option<String>,
    /// What happens.
    pub kind: FaultKind,
}

impl Fault {
    /// Answers matching calls with `code` and `status`.
    pub fn error(
        service: &str,
        region: Option<&str>,
        operation: Option<&str>,
        status: u16,
        code: &str,
    ) -> Self {
        Self {
            service: service.to_owned(),
            region: region.map(str::to_owned),
            operation: operation.map(str::to_owned),
            kind: FaultKind::Error {
                status,
                code: code.to_owned(),
            },
        }
    }

    /// Delays matching calls.
    pub fn delay(
        service: &str,
        region: Option<&str>,
        operation: Option<&str>,
        delay: Duration,
    ) -> Self {
        Self {
            service: service.to_owned(),
            region: region.map(str::to_owned),
            operation: operation.map(str::to_owned),
            kind: FaultKind::Delay(delay),
        }
    }
}

/// What the front has seen, for the benchmark.
#[derive(Debug, Default)]
pub struct Counters {
    requests: AtomicU64,
    upstream_micros: AtomicU64,
    slowest_micros: AtomicU64,
}

/// moto behind the front proxy. Point `AWS_ENDPOINT_URL` at [`Emulator::url`].
pub struct Emulator {
    /// The moto process.
    pub moto: Moto,
    port: u16,
    faults: Arc<Mutex<Vec<Fault>>>,
    requests: Arc<Counters>,
    stop: Arc<AtomicBool>,
}

impl Emulator {
    /// Starts moto and the front.
    pub fn start() -> Self {
        let moto = Moto::start();
        let listener = TcpListener::bind("127.0.0.1:0").expect("front port");
        let port = listener.local_addr().expect("front address").port();
        let faults: Arc<Mutex<Vec<Fault>>> = Arc::default();
        let requests: Arc<Counters> = Arc::default();
        let stop: Arc<AtomicBool> = Arc::default();
        let (moto_port, f, r, s) = (moto.port, faults.clone(), requests.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (f, r) = (f.clone(), r.clone());
                std::thread::spawn(move || {
                    let _ = serve(stream, moto_port, &f, &r);
                });
            }
        });
        Self {
            moto,
            port,
            faults,
            requests,
            stop,
        }
    }

    /// The endpoint URL for the SDK.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Adds an injected failure.
    pub fn inject(&self, fault: Fault) {
        if let Ok(mut faults) = self.faults.lock() {
            faults.push(fault);
        }
    }

    /// Removes every injected failure.
    pub fn clear_faults(&self) {
        if let Ok(mut faults) = self.faults.lock() {
            faults.clear();
        }
    }

    /// HTTP requests the front has answered.
    pub fn requests(&self) -> u64 {
        self.requests.requests.load(Ordering::Relaxed)
    }

    /// Total and longest time moto took to answer forwarded requests, in seconds.
    pub fn upstream_seconds(&self) -> (f64, f64) {
        (
            self.requests.upstream_micros.load(Ordering::Relaxed) as f64 / 1e6,
            self.requests.slowest_micros.load(Ordering::Relaxed) as f64 / 1e6,
        )
    }

    /// Environment for the `trailwarden` binary: credentials, region and endpoint, nothing
    /// else from AWS.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID".into(), "AKIDMOTOTEST".into()),
            ("AWS_SECRET_ACCESS_KEY".into(), "moto-secret".into()),
            ("AWS_REGION".into(), "us-east-1".into()),
            ("AWS_ENDPOINT_URL".into(), self.url()),
            ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ]
    }

    /// Creates an S3 bucket in moto with a raw request (the S3 SDK is not a dependency), for
    /// trails to name.
    pub fn create_bucket(&self, bucket: &str) {
        use std::io::{Read, Write};
        let mut stream =
            std::net::TcpStream::connect(("127.0.0.1", self.moto.port)).expect("moto answers");
        let request = format!(
            "PUT /{bucket} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: AWS4-HMAC-SHA256 \
             Credential=AKIDMOTOTEST/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, \
             Signature=0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).expect("request sent");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }

    /// An SDK configuration for provisioning `region` through the front.
    pub async fn sdk(&self, region: &str) -> aws_config::SdkConfig {
        use aws_sdk_sts::config::Credentials;
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(self.url())
            .region(aws_config::Region::new(region.to_owned()))
            .credentials_provider(Credentials::new(
                "AKIDMOTOTEST",
                "moto-secret",
                None,
                None,
                "moto",
            ))
            .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(5))
            .load()
            .await
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// One parsed HTTP/1.1 message.
struct Message {
    start: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Message {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    fn set_header(&mut self, name: &str, value: &str) {
        self.headers
            .retain(|(key, _)| !key.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_owned()));
    }

    fn remove_header(&mut self, name: &str) {
        self.headers
            .retain(|(key, _)| !key.eq_ignore_ascii_case(name));
    }

    fn write_to(&mut self, stream: &mut impl Write) -> std::io::Result<()> {
        self.remove_header("transfer-encoding");
        self.set_header("Content-Length", &self.body.len().to_string());
        self.set_header("Connection", "close");
        let mut head = format!("{}\r\n", self.start);
        for (key, value) in &self.headers {
            head.push_str(&format!("{key}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes())?;
        stream.write_all(&self.body)?;
        stream.flush()
    }
}

fn read_message(reader: &mut impl BufRead, until_eof: bool) -> std::io::Result<Message> {
    let mut start = String::new();
    reader.read_line(&mut start)?;
    let start = start.trim_end().to_owned();
    if start.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "empty",
        ));
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            break;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((key, value)) = line.split_once(':') {
            headers.push((key.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let mut message = Message {
        start,
        headers,
        body: Vec::new(),
    };
    let chunked = message
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let size = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                .unwrap_or(0);
            if size == 0 {
                let mut end = String::new();
                let _ = reader.read_line(&mut end);
                break;
            }
            let mut chunk = vec![0; size];
            reader.read_exact(&mut chunk)?;
            message.body.extend(chunk);
            let mut crlf = String::new();
            reader.read_line(&mut crlf)?;
        }
    } else if let Some(length) = message
        .header("content-length")
        .and_then(|v| v.parse().ok())
    {
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        message.body = body;
    } else if until_eof {
        reader.read_to_end(&mut message.body)?;
    }
    Ok(message)
}

/// SigV4 credential scope: (region, service).
fn scope(request: &Message) -> (String, String) {
    let auth = request.header("authorization").unwrap_or_default();
    let credential = auth
        .split("Credential=")
        .nth(1)
        .and_then(|rest| rest.split([',', ' ']).next())
        .unwrap_or_default();
    let parts: Vec<&str> = credential.split('/').collect();
    (
        parts.get(2).copied().unwrap_or_default().to_owned(),
        parts.get(3).copied().unwrap_or_default().to_owned(),
    )
}

const CBOR_PREFIX: &str = "/service/GraniteServiceVersion20100801/operation/";

fn operation(request: &Message) -> String {
    if let Some(target) = request.header("x-amz-target") {
        return target.rsplit('.').next().unwrap_or_default().to_owned();
    }
    let path = request.start.split(' ').nth(1).unwrap_or_default();
    if let Some(op) = path.strip_prefix(CBOR_PREFIX) {
        return op.to_owned();
    }
    let body = String::from_utf8_lossy(&request.body);
    if let Some(action) = body
        .split('&')
        .find_map(|pair| pair.strip_prefix("Action="))
    {
        return action.to_owned();
    }
    // restJson (account): the last path segment, e.g. /listRegions.
    path.rsplit('/').next().unwrap_or_default().to_owned()
}

fn serve(
    client: TcpStream,
    moto_port: u16,
    faults: &Mutex<Vec<Fault>>,
    requests: &Counters,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut writer = client;
    let mut request = read_message(&mut reader, false)?;
    requests.requests.fetch_add(1, Ordering::Relaxed);
    let (region, service) = scope(&request);
    let op = operation(&request);
    let cbor = request
        .start
        .split(' ')
        .nth(1)
        .is_some_and(|path| path.starts_with(CBOR_PREFIX));
    let fault = faults.lock().ok().and_then(|faults| {
        faults
            .iter()
            .find(|f| {
                f.service == service
                    && f.region.as_ref().is_none_or(|r| *r == region)
                    && f.operation.as_ref().is_none_or(|o| *o == op)
            })
            .cloned()
    });
    match fault.map(|f| f.kind) {
        Some(FaultKind::Error { status, code }) => {
            let mut response = error_response(&request, &service, cbor, status, &code);
            return response.write_to(&mut writer);
        }
        Some(FaultKind::Delay(delay)) => std::thread::sleep(delay),
        None => {}
    }
    if cbor {
        let json = cbor_to_json(&request.body);
        request.start = "POST / HTTP/1.1".to_owned();
        request.body = serde_json::to_vec(&json).unwrap_or_default();
        request.set_header("Content-Type", "application/x-amz-json-1.0");
        request.set_header(
            "X-Amz-Target",
            &format!("GraniteServiceVersion20100801.{op}"),
        );
        request.remove_header("smithy-protocol");
        request.remove_header("accept");
    }
    let asked = Instant::now();
    let mut upstream = TcpStream::connect(("127.0.0.1", moto_port))?;
    request.write_to(&mut upstream)?;
    let mut response = read_message(&mut BufReader::new(upstream.try_clone()?), true)?;
    let _ = upstream.shutdown(Shutdown::Both);
    let micros = u64::try_from(asked.elapsed().as_micros()).unwrap_or(u64::MAX);
    requests
        .upstream_micros
        .fetch_add(micros, Ordering::Relaxed);
    requests.slowest_micros.fetch_max(micros, Ordering::Relaxed);
    if cbor {
        let json: serde_json::Value =
            serde_json::from_slice(&response.body).unwrap_or(serde_json::Value::Null);
        let status_ok = response
            .start
            .split(' ')
            .nth(1)
            .is_some_and(|s| s.starts_with('2'));
        let json = if status_ok {
            json
        } else {
            let code = response
                .header("x-amzn-errortype")
                .map(|t| t.split(':').next().unwrap_or(t).to_owned())
                .or_else(|| {
                    json.get("__type")
                        .and_then(|t| t.as_str())
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| "InternalFailure".to_owned());
            let message = json
                .get("message")
                .or_else(|| json.get("Message"))
                .cloned()
                .unwrap_or_default();
            serde_json::json!({"__type": code, "message": message})
        };
        response.body = json_to_cbor(&json);
        response.set_header("Content-Type", "application/cbor");
        response.set_header("smithy-protocol", "rpc-v2-cbor");
    }
    response.write_to(&mut writer)
}

fn error_response(
    request: &Message,
    service: &str,
    cbor: bool,
    status: u16,
    code: &str,
) -> Message {
    let message = format!("injected by the test harness: {code}");
    let start = format!("HTTP/1.1 {status} Injected");
    let request_id = "00000000-0000-0000-0000-000000000000";
    if cbor {
        return Message {
            start,
            headers: vec![
                ("Content-Type".into(), "application/cbor".into()),
                ("smithy-protocol".into(), "rpc-v2-cbor".into()),
                ("x-amzn-requestid".into(), request_id.into()),
            ],
            body: json_to_cbor(&serde_json::json!({"__type": code, "message": message})),
        };
    }
    let query = request
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if query {
        let body = format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        );
        return Message {
            start,
            headers: vec![
                ("Content-Type".into(), "text/xml".into()),
                ("x-amzn-RequestId".into(), request_id.into()),
            ],
            body: body.into_bytes(),
        };
    }
    let _ = service;
    Message {
        start,
        headers: vec![
            ("Content-Type".into(), "application/x-amz-json-1.1".into()),
            ("x-amzn-ErrorType".into(), code.into()),
            ("x-amzn-RequestId".into(), request_id.into()),
        ],
        body: serde_json::to_vec(&serde_json::json!({"__type": code, "message": message}))
            .unwrap_or_default(),
    }
}

fn cbor_to_json(bytes: &[u8]) -> serde_json::Value {
    fn convert(value: ciborium::Value) -> serde_json::Value {
        use ciborium::Value as C;
        use serde_json::Value as J;
        match value {
            C::Integer(i) => {
                let i = i128::from(i);
                i64::try_from(i)
                    .map(J::from)
                    .unwrap_or_else(|_| J::from(i as f64))
            }
            C::Float(f) => serde_json::Number::from_f64(f).map_or(J::Null, J::Number),
            C::Text(text) => J::String(text),
            C::Bool(b) => J::Bool(b),
            C::Null => J::Null,
            C::Tag(_, inner) => convert(*inner),
            C::Bytes(bytes) => J::String(String::from_utf8_lossy(&bytes).into_owned()),
            C::Array(items) => J::Array(items.into_iter().map(convert).collect()),
            C::Map(entries) => J::Object(
                entries
                    .into_iter()
                    .filter_map(|(k, v)| match k {
                        C::Text(k) => Some((k, convert(v))),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => J::Null,
        }
    }
    if bytes.is_empty() {
        return serde_json::json!({});
    }
    ciborium::from_reader::<ciborium::Value, _>(bytes)
        .map(convert)
        .unwrap_or_else(|_| serde_json::json!({}))
}

fn json_to_cbor(value: &serde_json::Value) -> Vec<u8> {
    fn convert(key: Option<&str>, value: &serde_json::Value) -> Option<ciborium::Value> {
        use ciborium::Value as C;
        use serde_json::Value as J;
        Some(match value {
            // Absent and null are the same to the SDK's decoder only when absent.
            J::Null => return None,
            J::Bool(b) => C::Bool(*b),
            J::Number(n) if key.is_some_and(|k| k.ends_with("Timestamp")) => {
                C::Tag(1, Box::new(C::Float(n.as_f64().unwrap_or(0.0))))
            }
            J::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) if !n.is_f64() => C::Integer(i.into()),
                (_, Some(f)) => C::Float(f),
                _ => C::Null,
            },
            J::String(s) => C::Text(s.clone()),
            J::Array(items) => C::Array(items.iter().filter_map(|v| convert(None, v)).collect()),
            J::Object(map) => C::Map(
                map.iter()
                    .filter_map(|(k, v)| Some((C::Text(k.clone()), convert(Some(k), v)?)))
                    .collect(),
            ),
        })
    }
    let mut out = Vec::new();
    let value = convert(None, value).unwrap_or(ciborium::Value::Map(Vec::new()));
    let _ = ciborium::into_writer(&value, &mut out);
    out
}

/// The Control Tower shape: an organization with `members` members, and in the management
/// account
/// an organization trail delivering to a log group with a KMS filter, an alarm and a topic.
/// Returns the member account ids.
pub async fn provision_control_tower(emulator: &Emulator, members: usize) -> Vec<String> {
    let us = emulator.sdk("us-east-1").await;
    let organizations = aws_sdk_organizations::Client::new(&us);
    organizations
        .create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .expect("organization");
    let mut ids = Vec::new();
    for i in 0..members {
        let created = organizations
            .create_account()
            .email(format!("member-{i}@example.com"))
            .account_name(format!("member-{i}"))
            .send()
            .await
            .expect("member account");
        let id = created
            .create_account_status()
            .and_then(|s| s.account_id())
            .expect("account id")
            .to_owned();
        ids.push(id);
    }
    emulator.create_bucket("org-trail-logs");
    let logs = aws_sdk_cloudwatchlogs::Client::new(&us);
    logs.create_log_group()
        .log_group_name("aws-controltower/CloudTrailLogs")
        .send()
        .await
        .expect("log group");
    logs.put_metric_filter()
        .log_group_name("aws-controltower/CloudTrailLogs")
        .filter_name("kms-key-changes")
        .filter_pattern(
            "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }",
        )
        .metric_transformations(
            aws_sdk_cloudwatchlogs::types::MetricTransformation::builder()
                .metric_name("KmsKeyChanges")
                .metric_namespace("CISBenchmark")
                .metric_value("1")
                .build()
                .expect("transformation"),
        )
        .send()
        .await
        .expect("metric filter");
    let cloudtrail = aws_sdk_cloudtrail::Client::new(&us);
    cloudtrail
        .create_trail()
        .name("aws-controltower-BaselineCloudTrail")
        .s3_bucket_name("org-trail-logs")
        .is_multi_region_trail(true)
        .is_organization_trail(true)
        .cloud_watch_logs_log_group_arn(format!(
            "arn:aws:logs:us-east-1:{ACCOUNT}:log-group:aws-controltower/CloudTrailLogs:*"
        ))
        .cloud_watch_logs_role_arn(format!("arn:aws:iam::{ACCOUNT}:role/CloudTrailToLogs"))
        .send()
        .await
        .expect("organization trail");
    cloudtrail
        .start_logging()
        .name("aws-controltower-BaselineCloudTrail")
        .send()
        .await
        .expect("logging");
    let sns = aws_sdk_sns::Client::new(&us);
    let topic = sns
        .create_topic()
        .name("aws-controltower-SecurityNotifications")
        .send()
        .await
        .expect("topic");
    let topic_arn = topic.topic_arn().expect("topic arn").to_owned();
    sns.subscribe()
        .topic_arn(&topic_arn)
        .protocol("sqs")
        .endpoint(format!("arn:aws:sqs:us-east-1:{ACCOUNT}:security"))
        .send()
        .await
        .expect("subscription");
    use aws_sdk_cloudwatch::types::{ComparisonOperator, Statistic};
    aws_sdk_cloudwatch::Client::new(&us)
        .put_metric_alarm()
        .alarm_name("kms-key-changes")
        .metric_name("KmsKeyChanges")
        .namespace("CISBenchmark")
        .statistic(Statistic::Sum)
        .period(300)
        .evaluation_periods(1)
        .threshold(1.0)
        .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
        .treat_missing_data("notBreaching")
        .alarm_actions(&topic_arn)
        .send()
        .await
        .expect("alarm");
    ids
}
