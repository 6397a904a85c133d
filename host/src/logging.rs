//! Diagnostics on stderr through `tracing`; `-v` for debug, `RUST_LOG` for anything finer.

use tracing_subscriber::EnvFilter;

/// Installs the stderr subscriber. Colour only when stderr is a terminal.
pub fn init(verbose: u8) {
    // The SDK warns about every credential source it tried; the failure that matters reaches
    // the user as trailwarden's own error, so its warnings show only with -v.
    let default = match verbose {
        0 => "warn,aws_config=error,aws_smithy_runtime=error,aws_runtime=error,aws_sdk_sts=error",
        1 => "info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .without_time()
        .with_target(false)
        .try_init();
}
