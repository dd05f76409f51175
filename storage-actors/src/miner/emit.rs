//! The miner's FIP-0083 events (builtin-actors v18 `emit.rs`): the sector number (indexed)
//! after the `$type`, and for activations and updates the sector's CommD (indexed; `null` for
//! a sector without data) followed by one `piece-cid` (indexed) / `piece-size` (key indexed
//! only) pair per piece, in manifest order. Indexers filter on exactly these keys and flags.

use cid::Cid;
use filecoin_vm::{ActorError, Runtime};
use fvm_shared::sector::SectorNumber;

use crate::plumbing::EventBuilder;

/// A sector was pre-committed (`PreCommitSectorBatch2`).
pub fn sector_precommitted(rt: &mut dyn Runtime, sector: SectorNumber) -> Result<(), ActorError> {
    EventBuilder::new("sector-precommitted")?.indexed("sector", &sector)?.emit(rt)
}

/// A sector was activated (`ProveCommitSectors3`, `ProveCommitSectorsNI`, genesis preseal).
/// `pieces` are `(piece CID, padded size)` in manifest order.
pub fn sector_activated(
    rt: &mut dyn Runtime,
    sector: SectorNumber,
    unsealed_cid: Option<Cid>,
    pieces: &[(Cid, u64)],
) -> Result<(), ActorError> {
    with_sector_info(EventBuilder::new("sector-activated")?, sector, unsealed_cid, pieces)?.emit(rt)
}

/// A sector received data by a replica update (`ProveReplicaUpdates3`).
pub fn sector_updated(
    rt: &mut dyn Runtime,
    sector: SectorNumber,
    unsealed_cid: Option<Cid>,
    pieces: &[(Cid, u64)],
) -> Result<(), ActorError> {
    with_sector_info(EventBuilder::new("sector-updated")?, sector, unsealed_cid, pieces)?.emit(rt)
}

/// A sector was terminated early (not emitted for on-time expiration).
pub fn sector_terminated(rt: &mut dyn Runtime, sector: SectorNumber) -> Result<(), ActorError> {
    EventBuilder::new("sector-terminated")?.indexed("sector", &sector)?.emit(rt)
}

fn with_sector_info(
    event: EventBuilder,
    sector: SectorNumber,
    unsealed_cid: Option<Cid>,
    pieces: &[(Cid, u64)],
) -> Result<EventBuilder, ActorError> {
    let mut event = event.indexed("sector", &sector)?.indexed("unsealed-cid", &unsealed_cid)?;
    for (cid, size) in pieces {
        event = event.indexed("piece-cid", cid)?.field("piece-size", size)?;
    }
    Ok(event)
}

#[cfg(test)]
mod tests {
    use fvm_shared::event::Flags;

    use super::*;
    use crate::miner::ext::mock::MockRt;

    fn summary(rt: &MockRt) -> Vec<Vec<(String, u64, Vec<u8>)>> {
        let entries = rt.events.iter().map(|e| e.entries.iter());
        entries
            .map(|es| es.map(|e| (e.key.clone(), e.flags.bits(), e.value.clone())).collect())
            .collect()
    }

    #[test]
    fn events_carry_upstreams_keys_flags_and_values() {
        let mut rt = MockRt::new(100);
        let mut bytes = vec![0x01, 0x81, 0xe2, 0x03, 0x92, 0x20, 0x20];
        bytes.extend([0x11; 32]);
        let cid = Cid::try_from(bytes.as_slice()).unwrap();
        let mut cid_cbor = vec![0xd8, 0x2a, 0x58, 0x28, 0x00];
        cid_cbor.extend(&bytes);

        sector_precommitted(&mut rt, 7).unwrap();
        sector_activated(&mut rt, 300, Some(cid), &[(cid, 2048)]).unwrap();
        sector_updated(&mut rt, 8, None, &[]).unwrap();
        sector_terminated(&mut rt, 9).unwrap();
        assert!(rt.events.iter().flat_map(|e| &e.entries).all(|e| e.codec == 0x51));
        assert_eq!(Flags::FLAG_INDEXED_ALL.bits(), 3);

        let ty = |name: &str| {
            let mut v = vec![0x60 + name.len() as u8];
            v.extend(name.as_bytes());
            ("$type".to_string(), 3, v)
        };
        let e = |k: &str, flags: u64, v: Vec<u8>| (k.to_string(), flags, v);
        assert_eq!(
            summary(&rt),
            vec![
                vec![ty("sector-precommitted"), e("sector", 3, vec![0x07])],
                vec![
                    ty("sector-activated"),
                    e("sector", 3, vec![0x19, 0x01, 0x2c]),
                    e("unsealed-cid", 3, cid_cbor.clone()),
                    e("piece-cid", 3, cid_cbor),
                    e("piece-size", 1, vec![0x19, 0x08, 0x00]),
                ],
                vec![
                    ty("sector-updated"),
                    e("sector", 3, vec![0x08]),
                    e("unsealed-cid", 3, vec![0xf6])
                ],
                vec![ty("sector-terminated"), e("sector", 3, vec![0x09])],
            ]
        );
    }
}
