//! The network prefix of Filecoin address strings.
//!
//! `fvm_shared` keeps the prefix in a process-global (`current_network()`), so the text an address
//! prints as depends on whoever last set that global. This crate never reads or writes it: the
//! network is a value passed to every function that prints or checks a prefix.

use std::fmt;

/// Which network prefix a Filecoin address string carries.
///
/// The prefix is purely cosmetic: the binary address is identical on every network. The devnet
/// prints `t` (like every non-mainnet Filecoin network), but accepts both on input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Network {
    /// Mainnet, prefix `f`.
    Mainnet,
    /// Any test network (calibnet, devnets, this devnet), prefix `t`.
    Testnet,
}

impl Network {
    /// Both networks, in the order mainnet, testnet.
    pub const ALL: [Self; 2] = [Self::Mainnet, Self::Testnet];

    /// The prefix character: `f` or `t`.
    pub const fn prefix(self) -> char {
        match self {
            Self::Mainnet => 'f',
            Self::Testnet => 't',
        }
    }

    /// The network a prefix character names, if any. Only lowercase prefixes are valid.
    pub const fn from_prefix(c: char) -> Option<Self> {
        match c {
            'f' => Some(Self::Mainnet),
            't' => Some(Self::Testnet),
            _ => None,
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Mainnet => "mainnet (f)",
            Self::Testnet => "testnet (t)",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_round_trip() {
        for n in Network::ALL {
            assert_eq!(Network::from_prefix(n.prefix()), Some(n));
        }
        assert_eq!(Network::Mainnet.prefix(), 'f');
        assert_eq!(Network::Testnet.prefix(), 't');
    }

    #[test]
    fn other_prefixes_are_rejected() {
        for c in ['F', 'T', 'Q', '0', ' ', 'ö'] {
            assert_eq!(Network::from_prefix(c), None, "{c:?}");
        }
    }
}
