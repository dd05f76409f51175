//! Built-in actor events (FIP-0083): a `$type` entry, then named fields, every value DAG-CBOR
//! (codec 0x51), keys always indexed and values indexed where the FIP says so. Lotus and our
//! gateway index and filter them by these flags, so they must match the network's.

use filecoin_vm::{ActorError, Runtime};
use fvm_shared::event::{ActorEvent, Entry, Flags};
use serde::Serialize;

/// The multicodec of event values: IPLD DAG-CBOR.
pub const EVENT_VALUE_CODEC: u64 = 0x51;

/// An event under construction, in entry order.
#[derive(Debug)]
pub struct EventBuilder {
    entries: Vec<Entry>,
}

impl EventBuilder {
    /// An event of type `kind` (the `$type` entry, key and value indexed).
    pub fn new(kind: &str) -> Result<Self, ActorError> {
        Self { entries: Vec::new() }.entry("$type", kind, Flags::FLAG_INDEXED_ALL)
    }

    /// A field whose key is indexed and whose value is not.
    pub fn field<T: Serialize + ?Sized>(self, key: &str, value: &T) -> Result<Self, ActorError> {
        self.entry(key, value, Flags::FLAG_INDEXED_KEY)
    }

    /// A field whose key and value are both indexed.
    pub fn indexed<T: Serialize + ?Sized>(self, key: &str, value: &T) -> Result<Self, ActorError> {
        self.entry(key, value, Flags::FLAG_INDEXED_ALL)
    }

    /// Emits the event from the running actor.
    pub fn emit(self, rt: &mut dyn Runtime) -> Result<(), ActorError> {
        rt.emit_event(&self.build())
    }

    /// The finished event.
    pub fn build(self) -> ActorEvent {
        ActorEvent { entries: self.entries }
    }

    fn entry<T: Serialize + ?Sized>(
        mut self,
        key: &str,
        value: &T,
        flags: Flags,
    ) -> Result<Self, ActorError> {
        let value = fvm_ipld_encoding::to_vec(value).map_err(|e| {
            ActorError::serialization(format!("failed to encode event field {key}: {e}"))
        })?;
        self.entries.push(Entry { flags, key: key.to_string(), codec: EVENT_VALUE_CODEC, value });
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_carry_the_networks_flags_and_codec() {
        let event = EventBuilder::new("claim").unwrap().indexed("id", &7u64).unwrap();
        let event = event.field("size", &2048u64).unwrap().build();
        let flags: Vec<_> = event.entries.iter().map(|e| e.flags).collect();
        assert_eq!(
            flags,
            [Flags::FLAG_INDEXED_ALL, Flags::FLAG_INDEXED_ALL, Flags::FLAG_INDEXED_KEY]
        );
        assert_eq!(event.entries[0].key, "$type");
        assert_eq!(event.entries[0].value, vec![0x65, b'c', b'l', b'a', b'i', b'm']);
        assert_eq!(event.entries[1].value, vec![0x07]);
        assert!(event.entries.iter().all(|e| e.codec == 0x51));
    }
}
