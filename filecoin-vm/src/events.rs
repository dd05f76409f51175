//! Actor events: validation (ref-fvm's `emit_event` rules), gas, and the per-frame accumulator
//! that drops a failed frame's events together with its children's.

use fvm_ipld_encoding::{CBOR, IPLD_RAW};
use fvm_shared::ActorID;
use fvm_shared::event::{ActorEvent, Flags, StampedEvent};

use crate::gas::{Gas, price};

/// Most entries one event may carry.
pub const MAX_ENTRIES: usize = 255;
/// Longest key, in bytes.
pub const MAX_KEY_LEN: usize = 31;
/// Largest total of all values of one event, in bytes.
pub const MAX_TOTAL_VALUE_LEN: usize = 8 << 10;

/// Why an event was refused (the actor aborts with USR_ASSERTION_FAILED).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// More than [`MAX_ENTRIES`] entries.
    #[error("event has {0} entries, at most {MAX_ENTRIES} allowed")]
    TooManyEntries(usize),
    /// A key longer than [`MAX_KEY_LEN`] bytes.
    #[error("event key of {0} bytes exceeds {MAX_KEY_LEN}")]
    KeyTooLong(usize),
    /// Values adding up to more than [`MAX_TOTAL_VALUE_LEN`].
    #[error("event values total {0} bytes, at most {MAX_TOTAL_VALUE_LEN} allowed")]
    ValuesTooLarge(usize),
    /// A codec other than IPLD_RAW or CBOR.
    #[error("event entry codec {0:#x} is not IPLD_RAW or CBOR")]
    BadCodec(u64),
    /// Flag bits that have no meaning.
    #[error("event entry has unknown flags {0:#x}")]
    BadFlags(u64),
}

/// Checks an event and returns what emitting it costs.
pub fn validate(event: &ActorEvent) -> Result<Gas, EventError> {
    let entries = event.entries.len();
    if entries > MAX_ENTRIES {
        return Err(EventError::TooManyEntries(entries));
    }
    let (mut key_bytes, mut value_bytes) = (0usize, 0usize);
    for entry in &event.entries {
        if entry.key.len() > MAX_KEY_LEN {
            return Err(EventError::KeyTooLong(entry.key.len()));
        }
        if entry.codec != IPLD_RAW && entry.codec != CBOR {
            return Err(EventError::BadCodec(entry.codec));
        }
        if Flags::from_bits(entry.flags.bits()).is_none() {
            return Err(EventError::BadFlags(entry.flags.bits()));
        }
        key_bytes += entry.key.len();
        value_bytes += entry.value.len();
    }
    if value_bytes > MAX_TOTAL_VALUE_LEN {
        return Err(EventError::ValuesTooLarge(value_bytes));
    }
    Ok(price::actor_event(entries, key_bytes, value_bytes))
}

/// Events of the frames on the call stack, one layer per frame.
#[derive(Debug, Default)]
pub struct EventAccumulator {
    layers: Vec<Vec<StampedEvent>>,
    committed: Vec<StampedEvent>,
}

impl EventAccumulator {
    /// A frame starts.
    pub fn push_frame(&mut self) {
        self.layers.push(Vec::new());
    }

    /// The current frame ends: its events move to the caller's frame, or are dropped on failure.
    pub fn pop_frame(&mut self, success: bool) {
        let Some(events) = self.layers.pop() else { return };
        if success {
            match self.layers.last_mut() {
                Some(parent) => parent.extend(events),
                None => self.committed.extend(events),
            }
        }
    }

    /// Records an event of `emitter` in the current frame.
    pub fn record(&mut self, emitter: ActorID, event: ActorEvent) {
        if let Some(layer) = self.layers.last_mut() {
            layer.push(StampedEvent::new(emitter, event));
        }
    }

    /// The events of every frame that succeeded up to the top, in emission order.
    pub fn into_events(self) -> Vec<StampedEvent> {
        self.committed
    }
}

#[cfg(test)]
mod tests {
    use fvm_shared::event::Entry;

    use super::*;

    fn entry(key: &str, codec: u64, len: usize) -> Entry {
        Entry { flags: Flags::FLAG_INDEXED_ALL, key: key.into(), codec, value: vec![7; len] }
    }

    #[test]
    fn limits_of_fvm_emit_event() {
        let ok = ActorEvent::from(vec![entry("t1", IPLD_RAW, 32), entry("d", IPLD_RAW, 8160)]);
        assert!(validate(&ok).is_ok());
        let big = ActorEvent::from(vec![entry("t1", IPLD_RAW, 32), entry("d", IPLD_RAW, 8161)]);
        assert_eq!(validate(&big), Err(EventError::ValuesTooLarge(8193)));
        let key = ActorEvent::from(vec![entry(&"k".repeat(32), IPLD_RAW, 1)]);
        assert_eq!(validate(&key), Err(EventError::KeyTooLong(32)));
        let codec = ActorEvent::from(vec![entry("d", 0x71, 1)]);
        assert_eq!(validate(&codec), Err(EventError::BadCodec(0x71)));
        let many = ActorEvent::from(vec![entry("k", CBOR, 0); 256]);
        assert_eq!(validate(&many), Err(EventError::TooManyEntries(256)));
        assert!(validate(&ActorEvent::from(vec![])).is_ok());
    }

    #[test]
    fn failed_frames_drop_their_children() {
        let mut acc = EventAccumulator::default();
        acc.push_frame();
        acc.record(1, ActorEvent::from(vec![]));
        acc.push_frame();
        acc.record(2, ActorEvent::from(vec![]));
        acc.push_frame();
        acc.record(3, ActorEvent::from(vec![]));
        acc.pop_frame(true);
        acc.pop_frame(false);
        acc.pop_frame(true);
        let emitters: Vec<_> = acc.into_events().iter().map(|e| e.emitter).collect();
        assert_eq!(emitters, vec![1]);
    }
}
