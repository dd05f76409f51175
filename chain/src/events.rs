//! Actor events as indexed with their tipset: every event a message kept, built-in actors'
//! FIP-0083 events (CBOR entries) and EVM logs (raw entries) alike, exactly as emitted (flags,
//! keys, codecs, values). This is what Lotus's `GetActorEventsRaw` serves; Ethereum logs are
//! derived from the same events separately ([`crate::logs`]), because Ethereum clients see only
//! the ones that follow FEVM's log rules.
//!
//! Lotus indexes the events of a tipset's explicit messages only: what cron and the block reward
//! emit (a sector terminated by the deadline cron, say) is lost there. The devnet keeps those
//! too, marked as coming from an [`EventSource::Implicit`] message, so that a developer can see
//! everything that happened to a deal or a sector.

use cid::Cid;
use fvm_ipld_encoding::tuple::*;
use fvm_shared::ActorID;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::event::{Entry, StampedEvent};

/// The message an event came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventSource {
    /// The tipset's explicit message at this index (its receipt's events AMT holds the event).
    Message(u32),
    /// A message the node applied itself at the end of an epoch: cron's `EpochTick` (once per
    /// epoch, null rounds included) or reward's `AwardBlockReward`. Its CID is that of the
    /// unsigned message, built as Lotus builds it (the epoch as its nonce).
    Implicit {
        /// The implicit message's CID.
        cid: Cid,
        /// The epoch it ran at (a null round's, for the cron of a skipped epoch).
        epoch: ChainEpoch,
    },
}

/// An actor event as indexed with its tipset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexedEvent {
    /// Which message emitted it.
    pub source: EventSource,
    /// Its index among its message's events.
    pub event_index: u32,
    /// The emitting actor.
    pub emitter: ActorID,
    /// The entries, as emitted.
    pub entries: Vec<Entry>,
}

impl IndexedEvent {
    /// The events a message kept, in order.
    pub fn from_message(source: &EventSource, events: &[StampedEvent]) -> Vec<Self> {
        events
            .iter()
            .zip(0u32..)
            .map(|(stamped, event_index)| Self {
                source: source.clone(),
                event_index,
                emitter: stamped.emitter,
                entries: stamped.event.entries.clone(),
            })
            .collect()
    }

    /// The value of the first entry with this key (`"$type"` names a built-in actor's event).
    pub fn value(&self, key: &str) -> Option<&[u8]> {
        self.entries.iter().find(|e| e.key == key).map(|e| e.value.as_slice())
    }
}

/// The stored form: a tuple, with the implicit message's CID and epoch only for implicit ones.
#[derive(Serialize_tuple, Deserialize_tuple)]
pub(crate) struct StoredEvent {
    message_index: Option<u32>,
    implicit: Option<(Cid, ChainEpoch)>,
    event_index: u32,
    emitter: ActorID,
    entries: Vec<Entry>,
}

impl From<&IndexedEvent> for StoredEvent {
    fn from(e: &IndexedEvent) -> Self {
        let (message_index, implicit) = match &e.source {
            EventSource::Message(index) => (Some(*index), None),
            EventSource::Implicit { cid, epoch } => (None, Some((*cid, *epoch))),
        };
        Self {
            message_index,
            implicit,
            event_index: e.event_index,
            emitter: e.emitter,
            entries: e.entries.clone(),
        }
    }
}

impl TryFrom<StoredEvent> for IndexedEvent {
    type Error = anyhow::Error;

    fn try_from(s: StoredEvent) -> anyhow::Result<Self> {
        let source = match (s.message_index, s.implicit) {
            (Some(index), None) => EventSource::Message(index),
            (None, Some((cid, epoch))) => EventSource::Implicit { cid, epoch },
            _ => anyhow::bail!("corrupt stored event: no single source"),
        };
        Ok(Self { source, event_index: s.event_index, emitter: s.emitter, entries: s.entries })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fvm_shared::event::{ActorEvent, Flags};

    fn stamped(emitter: ActorID, key: &str, value: Vec<u8>) -> StampedEvent {
        StampedEvent {
            emitter,
            event: ActorEvent {
                entries: vec![Entry {
                    flags: Flags::FLAG_INDEXED_ALL,
                    key: key.into(),
                    codec: 0x51,
                    value,
                }],
            },
        }
    }

    #[test]
    fn events_keep_their_order_source_and_entries_through_the_store() {
        let cid = Cid::default();
        let sources = [EventSource::Message(3), EventSource::Implicit { cid, epoch: 41 }];
        for source in sources {
            let events = IndexedEvent::from_message(
                &source,
                &[stamped(1000, "$type", vec![0x61, b'x']), stamped(5, "id", vec![7])],
            );
            assert_eq!(events.iter().map(|e| e.event_index).collect::<Vec<_>>(), vec![0, 1]);
            assert_eq!(events[0].value("$type"), Some(&[0x61, b'x'][..]));
            assert_eq!(events[1].value("$type"), None);
            let stored: Vec<StoredEvent> = events.iter().map(StoredEvent::from).collect();
            let bytes = fvm_ipld_encoding::to_vec(&stored).unwrap();
            let back: Vec<StoredEvent> = fvm_ipld_encoding::from_slice(&bytes).unwrap();
            let back: Vec<IndexedEvent> =
                back.into_iter().map(IndexedEvent::try_from).collect::<Result<_, _>>().unwrap();
            assert_eq!(back, events);
        }
    }

    #[test]
    fn a_stored_event_with_no_or_two_sources_is_corrupt() {
        let bad = StoredEvent {
            message_index: Some(1),
            implicit: Some((Cid::default(), 1)),
            event_index: 0,
            emitter: 1,
            entries: Vec::new(),
        };
        assert!(IndexedEvent::try_from(bad).is_err());
    }
}
