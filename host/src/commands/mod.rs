//! The subcommands, one module each: they read the flags, call the library modules (collect,
//! engine, report, …) and decide what is printed and the exit code. Nothing here is used by
//! the library modules, so a command can change its output without touching how trailwarden
//! collects or evaluates.

pub mod check;
pub mod live;
pub mod org;
pub mod precompile;
pub mod rules;
pub mod rules_new;
pub mod rules_test;
pub mod shell;
pub mod snapshot;
pub mod test_pattern;
