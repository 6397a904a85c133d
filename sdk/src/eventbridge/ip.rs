//! The `cidr` operator, for IPv4 and IPv6.
//!
//! Source: EventBridge "Content filtering in Amazon EventBridge event patterns" (IP address
//! matching: `{"cidr": "10.0.0.0/24"}`, "also works with IPv6"); event-ruler `CIDR.java` for the
//! validation: exactly one `/`, integer mask bits, IPv4 mask below 32 and IPv6 mask below 128
//! ("IPv4 mask bits must be < 32"). Host bits set in the address are ignored, as event-ruler
//! computes the range from the masked address.

use std::net::IpAddr;

use super::error::EventPatternErrorKind;

/// A parsed CIDR block: the first and last address, as 128-bit numbers in one family.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cidr {
    v4: bool,
    low: u128,
    high: u128,
}

impl Cidr {
    /// Parses `10.0.0.0/24` or `2001:db8::/32`.
    pub(crate) fn parse(text: &str) -> Result<Self, EventPatternErrorKind> {
        let fail = |reason| EventPatternErrorKind::Cidr {
            cidr: text.to_owned(),
            reason,
        };
        let mut parts = text.split('/');
        let (Some(address), Some(bits), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(fail("exactly one `/` is required"));
        };
        let bits: u32 = bits
            .parse()
            .map_err(|_| fail("the mask bits must be a non-negative integer"))?;
        let address: IpAddr = address
            .parse()
            .map_err(|_| fail("the address is not an IPv4 or IPv6 address"))?;
        let (v4, width, value) = match address {
            IpAddr::V4(a) => (true, 32, u128::from(u32::from(a))),
            IpAddr::V6(a) => (false, 128, u128::from(a)),
        };
        if bits >= width {
            return Err(fail(if v4 {
                "IPv4 mask bits must be < 32"
            } else {
                "IPv6 mask bits must be < 128"
            }));
        }
        let host_bits = width - bits;
        // host_bits is 1..=128; a shift by 128 would overflow, so build the mask in two steps.
        let host_mask = if host_bits == 128 {
            u128::MAX
        } else {
            (1u128 << host_bits) - 1
        };
        let low = value & !host_mask;
        Ok(Self {
            v4,
            low,
            high: low | host_mask,
        })
    }

    /// Whether `value` is an address of the same family inside the block.
    pub(crate) fn contains(&self, value: &str) -> bool {
        let Ok(address) = value.parse::<IpAddr>() else {
            return false;
        };
        let number = match (self.v4, address) {
            (true, IpAddr::V4(a)) => u128::from(u32::from(a)),
            (false, IpAddr::V6(a)) => u128::from(a),
            _ => return false,
        };
        (self.low..=self.high).contains(&number)
    }
}

/// Whether two strings are the same IP address written differently (`::1` and `0:0::1`).
/// event-ruler turns exact string values that are IP addresses into ranges, so such spellings
/// match each other.
pub(crate) fn same_address(a: &str, b: &str) -> bool {
    match (a.parse::<IpAddr>(), b.parse::<IpAddr>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(text: &str) -> Cidr {
        Cidr::parse(text).expect("valid cidr")
    }

    #[test]
    fn ipv4_boundaries() {
        // Docs example: {"cidr": "10.0.0.0/24"} and source-ip 10.0.0.33 (event-ruler README).
        let block = cidr("10.0.0.0/24");
        assert!(block.contains("10.0.0.33"));
        assert!(block.contains("10.0.0.0"));
        assert!(block.contains("10.0.0.255"));
        assert!(!block.contains("10.0.1.0"));
        assert!(!block.contains("9.255.255.255"));
        assert!(!block.contains("not-an-ip"));
        assert!(!block.contains("::ffff:10.0.0.1"));
        assert!(
            cidr("10.0.0.77/24").contains("10.0.0.1"),
            "host bits are masked"
        );
        assert!(cidr("0.0.0.0/0").contains("255.255.255.255"));
    }

    #[test]
    fn ipv6_boundaries() {
        let block = cidr("2001:db8::/32");
        assert!(block.contains("2001:db8::1"));
        assert!(block.contains("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
        assert!(!block.contains("2001:db9::"));
        assert!(!block.contains("10.0.0.1"));
        assert!(cidr("::/0").contains("ffff::"));
    }

    #[test]
    fn refuses_malformed() {
        for bad in [
            "10.0.0.0",
            "10.0.0.0/24/1",
            "10.0.0.0/x",
            "10.0.0.0/-1",
            "10.0.0.0/32",
            "10.0.0/8",
            "2001:db8::/128",
        ] {
            assert!(Cidr::parse(bad).is_err(), "{bad} should be refused");
        }
        assert!(Cidr::parse("10.0.0.0/31").is_ok());
        assert!(Cidr::parse("2001:db8::/127").is_ok());
    }

    #[test]
    fn same_address_normalises() {
        assert!(same_address("2001:db8::1", "2001:0db8:0:0:0:0:0:1"));
        assert!(!same_address("10.0.0.1", "10.0.0.2"));
        assert!(!same_address("a", "a"));
    }
}
