//! Ethereum logs from actor events, their blooms, and log filters.
//!
//! An EVM `LOGn` becomes an actor event with entries `t1`…`t4` (topics) and `d` (data), all
//! with the raw codec. [`log_from_event`] applies FEVM's rules for turning such an event back
//! into a log; events that break them (other codecs, short topics, repeated or skipped keys)
//! are not logs, as in Lotus.

use alloy_primitives::{Address as EthAddress, B256, Bloom, BloomInput, Bytes};
use fvm_ipld_encoding::strict_bytes;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::ActorID;
use fvm_shared::event::ActorEvent;

/// The IPLD raw codec, the only codec an EVM log entry uses.
const RAW: u64 = 0x55;

/// A log as indexed with its tipset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexedLog {
    /// Index of the message in its tipset.
    pub message_index: u32,
    /// Index of the log in its tipset (geth counts logs per block).
    pub log_index: u32,
    /// The emitting actor.
    pub emitter: ActorID,
    /// The emitter's 0x address: its f410 address if it has one, else its masked ID.
    pub address: EthAddress,
    /// Up to four topics.
    pub topics: Vec<B256>,
    /// The data.
    pub data: Bytes,
}

/// The topics and data of an event, if it is an Ethereum log.
pub fn log_from_event(event: &ActorEvent) -> Option<(Vec<B256>, Bytes)> {
    let mut topics: [Option<B256>; 4] = [None; 4];
    let mut data: Option<Bytes> = None;
    for entry in &event.entries {
        if entry.codec != RAW {
            return None;
        }
        match entry.key.as_str() {
            "d" if data.replace(Bytes::copy_from_slice(&entry.value)).is_some() => return None,
            "d" => {}
            key @ ("t1" | "t2" | "t3" | "t4") => {
                let slot = usize::from(key.as_bytes()[1] - b'1');
                let topic = B256::try_from(entry.value.as_slice()).ok()?;
                if topics.get_mut(slot)?.replace(topic).is_some() {
                    return None;
                }
            }
            _ => {}
        }
    }
    let count = topics.iter().take_while(|t| t.is_some()).count();
    if topics.iter().skip(count).any(Option::is_some) {
        return None;
    }
    Some((topics.iter().flatten().copied().collect(), data.unwrap_or_default()))
}

/// Adds a log's address and topics to a bloom.
pub fn accrue_bloom(bloom: &mut Bloom, address: &EthAddress, topics: &[B256]) {
    bloom.accrue(BloomInput::Raw(address.as_slice()));
    for topic in topics {
        bloom.accrue(BloomInput::Raw(topic.as_slice()));
    }
}

/// Which logs a query wants: any of `addresses` (all when empty), and per topic position any
/// of the listed values (a wildcard when the list is empty).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// Emitters, OR-ed.
    pub addresses: Vec<EthAddress>,
    /// Topic positions, AND-ed; values inside a position OR-ed.
    pub topics: Vec<Vec<B256>>,
}

impl LogFilter {
    /// Whether `log` matches.
    pub fn matches(&self, log: &IndexedLog) -> bool {
        self.matches_parts(&log.address, &log.topics)
    }

    /// Whether a log with this address and these topics matches.
    pub fn matches_parts(&self, address: &EthAddress, topics: &[B256]) -> bool {
        if !self.addresses.is_empty() && !self.addresses.contains(address) {
            return false;
        }
        self.topics.iter().enumerate().all(|(i, wanted)| {
            wanted.is_empty() || topics.get(i).is_some_and(|t| wanted.contains(t))
        })
    }

    /// Whether a block with this bloom may hold a matching log.
    pub fn may_match(&self, bloom: &Bloom) -> bool {
        let address_ok = self.addresses.is_empty()
            || self.addresses.iter().any(|a| bloom.contains_input(BloomInput::Raw(a.as_slice())));
        address_ok
            && self.topics.iter().all(|wanted| {
                wanted.is_empty()
                    || wanted.iter().any(|t| bloom.contains_input(BloomInput::Raw(t.as_slice())))
            })
    }
}

/// The stored form of a tipset's logs (one DAG-CBOR value per tipset).
#[derive(Serialize_tuple, Deserialize_tuple)]
pub(crate) struct StoredLog {
    message_index: u32,
    log_index: u32,
    emitter: ActorID,
    #[serde(with = "strict_bytes")]
    address: Vec<u8>,
    /// The topics concatenated, 32 bytes each.
    #[serde(with = "strict_bytes")]
    topics: Vec<u8>,
    #[serde(with = "strict_bytes")]
    data: Vec<u8>,
}

impl From<&IndexedLog> for StoredLog {
    fn from(log: &IndexedLog) -> Self {
        Self {
            message_index: log.message_index,
            log_index: log.log_index,
            emitter: log.emitter,
            address: log.address.to_vec(),
            topics: log.topics.iter().flat_map(|t| t.0).collect(),
            data: log.data.to_vec(),
        }
    }
}

impl TryFrom<StoredLog> for IndexedLog {
    type Error = anyhow::Error;

    fn try_from(s: StoredLog) -> anyhow::Result<Self> {
        if !s.topics.len().is_multiple_of(32) || s.topics.len() > 128 {
            anyhow::bail!("corrupt stored log topics ({} bytes)", s.topics.len());
        }
        Ok(Self {
            message_index: s.message_index,
            log_index: s.log_index,
            emitter: s.emitter,
            address: EthAddress::try_from(s.address.as_slice())?,
            topics: s.topics.chunks_exact(32).map(B256::from_slice).collect(),
            data: s.data.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fvm_shared::event::{Entry, Flags};

    fn entry(key: &str, value: Vec<u8>) -> Entry {
        Entry { flags: Flags::FLAG_INDEXED_ALL, key: key.into(), codec: RAW, value }
    }

    #[test]
    fn evm_events_become_logs_and_broken_ones_do_not() {
        let t = |b: u8| vec![b; 32];
        let ok =
            ActorEvent { entries: vec![entry("t1", t(1)), entry("t2", t(2)), entry("d", vec![9])] };
        let (topics, data) = log_from_event(&ok).unwrap();
        assert_eq!(topics, vec![B256::repeat_byte(1), B256::repeat_byte(2)]);
        assert_eq!(data.as_ref(), &[9]);

        let gap = ActorEvent { entries: vec![entry("t1", t(1)), entry("t3", t(3))] };
        assert!(log_from_event(&gap).is_none());
        let dup = ActorEvent { entries: vec![entry("t1", t(1)), entry("t1", t(1))] };
        assert!(log_from_event(&dup).is_none());
        let short = ActorEvent { entries: vec![entry("t1", vec![1; 31])] };
        assert!(log_from_event(&short).is_none());
        let mut cbor = entry("t1", t(1));
        cbor.codec = 0x51;
        assert!(log_from_event(&ActorEvent { entries: vec![cbor] }).is_none());
        let anonymous = ActorEvent { entries: vec![entry("d", vec![])] };
        assert_eq!(log_from_event(&anonymous).unwrap().0, Vec::<B256>::new());
    }

    #[test]
    fn filters_match_addresses_and_topic_positions() {
        let log = IndexedLog {
            message_index: 0,
            log_index: 0,
            emitter: 1001,
            address: EthAddress::repeat_byte(0xaa),
            topics: vec![B256::repeat_byte(1), B256::repeat_byte(2)],
            data: Bytes::new(),
        };
        let mut bloom = Bloom::default();
        accrue_bloom(&mut bloom, &log.address, &log.topics);
        let any = LogFilter::default();
        assert!(any.matches(&log) && any.may_match(&bloom));
        let second = LogFilter {
            addresses: vec![],
            topics: vec![vec![], vec![B256::repeat_byte(3), B256::repeat_byte(2)]],
        };
        assert!(second.matches(&log) && second.may_match(&bloom));
        let third = LogFilter { addresses: vec![], topics: vec![vec![], vec![], vec![B256::ZERO]] };
        assert!(!third.matches(&log));
        let other = LogFilter { addresses: vec![EthAddress::repeat_byte(0xbb)], topics: vec![] };
        assert!(!other.matches(&log) && !other.may_match(&bloom));
    }
}
