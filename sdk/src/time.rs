//! RFC 3339 timestamps to and from Unix seconds, with no clock and no dependency.
//!
//! Rules run in wasm without a clock: the host passes the run's time as RFC 3339 text
//! ([`crate::Ctx::now`]), CloudTrail records carry `eventTime` (`2024-05-20T20:45:00Z`) and
//! KMS keys carry `validTo`. Deciding "within the last 60 minutes" or "expires in 12 days" needs
//! those as numbers. This module parses the RFC 3339 `date-time` production (section 5.6 of
//! <https://www.rfc-editor.org/rfc/rfc3339>): `YYYY-MM-DD`, `T` (or `t`, or a space, which the
//! RFC allows as a note), `HH:MM:SS`, optional fractional seconds, and `Z`/`z` or a `±HH:MM`
//! offset. Fractions are truncated to whole seconds; a leap second (`:60`) counts as the first
//! second of the next minute, which is what every consumer here needs.

/// Seconds in a day.
pub const SECONDS_PER_DAY: i64 = 86_400;

/// Why a timestamp is not RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not an RFC 3339 date-time: {reason}")]
pub struct TimeError {
    /// The text given (shortened to 64 characters).
    pub text: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl TimeError {
    fn new(text: &str, reason: &'static str) -> Self {
        Self {
            text: text.chars().take(64).collect(),
            reason,
        }
    }
}

/// Parses an RFC 3339 date-time to seconds since the Unix epoch (UTC).
///
/// ```
/// use trailwarden_sdk::time::parse_rfc3339;
/// assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Ok(0));
/// assert_eq!(parse_rfc3339("2024-05-20T22:45:00.123+02:00"), Ok(1_716_237_900));
/// ```
pub fn parse_rfc3339(text: &str) -> Result<i64, TimeError> {
    let error = |reason| TimeError::new(text, reason);
    let bytes = text.as_bytes();
    if bytes.len() < 20 || !text.is_ascii() {
        return Err(error("too short, or not ASCII"));
    }
    let year = digits(bytes, 0, 4).ok_or_else(|| error("the year is not four digits"))?;
    let month = field(bytes, 4, b'-', 5).ok_or_else(|| error("expected `-MM` after the year"))?;
    let day = field(bytes, 7, b'-', 8).ok_or_else(|| error("expected `-DD` after the month"))?;
    if !matches!(bytes.get(10), Some(b'T' | b't' | b' ')) {
        return Err(error("expected `T` between the date and the time"));
    }
    let hour = digits(bytes, 11, 2).ok_or_else(|| error("the hour is not two digits"))?;
    let minute =
        field(bytes, 13, b':', 14).ok_or_else(|| error("expected `:MM` after the hour"))?;
    let second =
        field(bytes, 16, b':', 17).ok_or_else(|| error("expected `:SS` after the minute"))?;
    if !(1..=12).contains(&month) {
        return Err(error("the month is not 01-12"));
    }
    if day < 1 || day > days_in_month(year, month) {
        return Err(error("the day does not exist in that month"));
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Err(error("the time of day is out of range"));
    }
    let offset = offset_seconds(bytes.get(19..).unwrap_or_default()).map_err(error)?;
    let days = days_from_civil(year, month, day);
    Ok(days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offset)
}

/// Formats seconds since the Unix epoch as RFC 3339 UTC, `YYYY-MM-DDTHH:MM:SSZ`.
///
/// RFC 3339 years have four digits, so only instants in the years 0000 to 9999 format to text
/// that [`parse_rfc3339`] reads back.
///
/// ```
/// use trailwarden_sdk::time::format_rfc3339;
/// assert_eq!(format_rfc3339(951_782_400), "2000-02-29T00:00:00Z");
/// ```
pub fn format_rfc3339(seconds: i64) -> String {
    let days = seconds.div_euclid(SECONDS_PER_DAY);
    let rest = seconds.rem_euclid(SECONDS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        (rest % 3600) / 60,
        rest % 60
    )
}

/// `count` ASCII digits at `start`, as a number.
fn digits(bytes: &[u8], start: usize, count: usize) -> Option<i64> {
    let slice = bytes.get(start..start + count)?;
    slice.iter().try_fold(0i64, |acc, b| {
        b.is_ascii_digit().then(|| acc * 10 + i64::from(b - b'0'))
    })
}

/// A separator at `at` followed by two digits at `start`.
fn field(bytes: &[u8], at: usize, separator: u8, start: usize) -> Option<i64> {
    (bytes.get(at) == Some(&separator))
        .then(|| digits(bytes, start, 2))
        .flatten()
}

/// The optional fraction and the zone after `HH:MM:SS`, as seconds east of UTC.
fn offset_seconds(tail: &[u8]) -> Result<i64, &'static str> {
    let mut rest = tail;
    if let Some(after_dot) = rest.strip_prefix(b".") {
        let count = after_dot.iter().take_while(|b| b.is_ascii_digit()).count();
        if count == 0 {
            return Err("a `.` must be followed by fractional digits");
        }
        rest = &after_dot[count..];
    }
    match rest {
        [b'Z' | b'z'] => Ok(0),
        [sign @ (b'+' | b'-'), ..] if rest.len() == 6 => {
            let hours = digits(rest, 1, 2).ok_or("the offset hour is not two digits")?;
            let minutes = field(rest, 3, b':', 4).ok_or("expected `:MM` in the offset")?;
            if hours > 23 || minutes > 59 {
                return Err("the offset is out of range");
            }
            let magnitude = hours * 3600 + minutes * 60;
            Ok(if *sign == b'-' { -magnitude } else { magnitude })
        }
        _ => Err("expected `Z` or a `+HH:MM`/`-HH:MM` offset at the end"),
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's `days_from_civil`: days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let month_from_march = (month + 9) % 12;
    let doy = (153 * month_from_march + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Howard Hinnant's `civil_from_days`, the inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        let cases = [
            ("1970-01-01T00:00:00Z", 0),
            ("2000-02-29T00:00:00Z", 951_782_400),
            ("2024-05-20T20:45:00Z", 1_716_237_900),
            ("2026-11-25T10:30:45Z", 1_795_602_645),
            ("1969-12-31T23:59:59Z", -1),
        ];
        for (text, seconds) in cases {
            assert_eq!(parse_rfc3339(text), Ok(seconds), "{text}");
            assert_eq!(format_rfc3339(seconds), text);
        }
    }

    #[test]
    fn offsets_fractions_and_separators() {
        let utc = 1_716_237_900;
        for text in [
            "2024-05-20T20:45:00.000Z",
            "2024-05-20t20:45:00.999999z",
            "2024-05-20 20:45:00Z",
            "2024-05-20T22:45:00+02:00",
            "2024-05-20T15:15:00-05:30",
            "2024-05-20T20:45:00.5+00:00",
        ] {
            assert_eq!(parse_rfc3339(text), Ok(utc), "{text}");
        }
        assert_eq!(parse_rfc3339("2016-12-31T23:59:60Z"), Ok(1_483_228_800));
    }

    #[test]
    fn rejects_what_is_not_rfc3339() {
        for text in [
            "",
            "2024-05-20",
            "2024-05-20T20:45:00",
            "2024-05-20T20:45Z",
            "2024-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-04-31T00:00:00Z",
            "2024-05-20T24:00:00Z",
            "2024-05-20T20:60:00Z",
            "2024-05-20T20:45:00.Z",
            "2024-05-20T20:45:00+0200",
            "2024-05-20T20:45:00+24:00",
            "2024/05/20T20:45:00Z",
            "May 20, 2024, 8:45 PM",
            "2024-05-20T20:45:00Zjunk",
            "２０２４-05-20T20:45:00Z",
        ] {
            assert!(parse_rfc3339(text).is_err(), "{text} should be refused");
        }
        let error = parse_rfc3339("2024-02-30T00:00:00Z").unwrap_err();
        assert_eq!(
            error.to_string(),
            "`2024-02-30T00:00:00Z` is not an RFC 3339 date-time: the day does not exist in that month"
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,40}") {
            let _ = parse_rfc3339(&text);
        }

        #[test]
        fn never_panics_near_valid_text(
            cut in 0usize..30,
            byte in 0usize..30,
            with in proptest::char::any(),
        ) {
            let mut text: Vec<char> = "2024-05-20T20:45:00.123+02:00".chars().collect();
            if byte < text.len() {
                text[byte] = with;
            }
            text.truncate(cut.max(1));
            let _ = parse_rfc3339(&text.into_iter().collect::<String>());
        }
    }

    #[test]
    fn round_trips_every_year_rfc3339_can_write() {
        // 0000-01-01 to 9999-12-31, the years a four-digit `date-fullyear` holds.
        for days in (-719_528..=2_932_896).step_by(97) {
            let seconds = days * SECONDS_PER_DAY + 3_723;
            assert_eq!(parse_rfc3339(&format_rfc3339(seconds)), Ok(seconds));
        }
    }
}
