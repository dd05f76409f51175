//! `SectorContentChanged` notifications (FIP-0076, builtin-actors v18 `notifications.rs`):
//! after sectors are activated or updated, each actor a piece names in its `notify` list gets
//! one message (method 2034386435, no value) listing, per sector, the pieces addressed to it.
//!
//! Grouping follows upstream exactly, since receivers see the order: one message per distinct
//! receiver, receivers in address order, sectors in ascending number within a message (a
//! sector listed twice is merged, with the expiration of its last listing), pieces in manifest
//! order within a sector. With `require_success` any failure aborts the caller with a
//! dedicated code (1001 send failed, 1002 receiver aborted, 1003 missing, undecodable or
//! mis-shaped return, 1004 a piece rejected); without it, replies are not even read.

use std::collections::BTreeMap;

use filecoin_vm::{ActorError, Runtime};
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::SectorNumber;
use fvm_shared::sys::SendFlags;

use super::types::{
    ERR_NOTIFICATION_RECEIVER_ABORTED, ERR_NOTIFICATION_REJECTED,
    ERR_NOTIFICATION_RESPONSE_INVALID, ERR_NOTIFICATION_SEND_FAILED, PieceActivationManifest,
    PieceChange, SECTOR_CONTENT_CHANGED_METHOD, SectorChanges, SectorContentChangedParams,
    SectorContentChangedReturn,
};
use crate::plumbing::cbor_block;

/// One activated (or updated) sector and its pieces, as the prove methods have them.
#[derive(Clone, Copy, Debug)]
pub struct ActivationNotifications<'a> {
    /// The sector.
    pub sector_number: SectorNumber,
    /// Its expiration: the receiver's `minimum_commitment_epoch`.
    pub sector_expiration: ChainEpoch,
    /// Its pieces in manifest order, each with the receivers to notify.
    pub pieces: &'a [PieceActivationManifest],
}

/// Groups the activations' notifications by receiver: the messages to send, in send order.
pub fn group_notifications(
    activations: &[ActivationNotifications<'_>],
) -> Vec<(Address, Vec<SectorChanges>)> {
    let expirations: BTreeMap<SectorNumber, ChainEpoch> =
        activations.iter().map(|a| (a.sector_number, a.sector_expiration)).collect();
    let mut by_receiver = BTreeMap::<Address, BTreeMap<SectorNumber, Vec<PieceChange>>>::new();
    for activation in activations {
        for piece in activation.pieces {
            for notify in &piece.notify {
                by_receiver
                    .entry(notify.address)
                    .or_default()
                    .entry(activation.sector_number)
                    .or_default()
                    .push(PieceChange {
                        data: piece.cid,
                        size: piece.size,
                        payload: notify.payload.clone(),
                    });
            }
        }
    }
    by_receiver
        .into_iter()
        .map(|(receiver, sectors)| {
            let changes = sectors
                .into_iter()
                .map(|(sector, added)| SectorChanges {
                    sector,
                    // Every grouped sector came from an activation, so it has an expiration.
                    minimum_commitment_epoch: expirations.get(&sector).copied().unwrap_or_default(),
                    added,
                })
                .collect();
            (receiver, changes)
        })
        .collect()
}

/// Sends every notification the activations call for; see the module docs for ordering and
/// for what `require_success` checks. Running out of gas always aborts.
pub fn notify_data_consumers(
    rt: &mut dyn Runtime,
    activations: &[ActivationNotifications<'_>],
    require_success: bool,
) -> Result<(), ActorError> {
    for (receiver, sectors) in group_notifications(activations) {
        let params = SectorContentChangedParams { sectors };
        let response = send_notification(rt, &receiver, &params)?;
        if require_success {
            validate_response(&receiver, &params.sectors, response?)?;
        }
    }
    Ok(())
}

/// Sends one notification. The outer error is the runtime's own (out of gas, encoding); the
/// inner one classifies the receiver's failure.
fn send_notification(
    rt: &mut dyn Runtime,
    receiver: &Address,
    params: &SectorContentChangedParams,
) -> Result<Result<SectorContentChangedReturn, ActorError>, ActorError> {
    let outcome = rt.send(
        receiver,
        SECTOR_CONTENT_CHANGED_METHOD,
        cbor_block(params)?,
        TokenAmount::default(),
        None,
        SendFlags::empty(),
    )?;
    Ok(match outcome {
        Err(errno) => Err(ActorError::new(
            ERR_NOTIFICATION_SEND_FAILED,
            format!("failed to notify {receiver}: send error {errno:?}"),
        )),
        Ok(out) if !out.exit_code.is_success() => Err(ActorError::new(
            ERR_NOTIFICATION_RECEIVER_ABORTED,
            format!("notification receiver {receiver} aborted with {}", out.exit_code),
        )),
        Ok(out) => match out.return_data {
            None => Err(ActorError::new(
                ERR_NOTIFICATION_RESPONSE_INVALID,
                format!("notification receiver {receiver} returned no data"),
            )),
            Some(block) => block.deserialize().map_err(|e| {
                ActorError::new(
                    ERR_NOTIFICATION_RESPONSE_INVALID,
                    format!("invalid notification return from {receiver}: {e}"),
                )
            }),
        },
    })
}

/// Checks that the reply has the request's shape and accepts every piece.
fn validate_response(
    receiver: &Address,
    request: &[SectorChanges],
    response: SectorContentChangedReturn,
) -> Result<(), ActorError> {
    let invalid = |msg: String| ActorError::new(ERR_NOTIFICATION_RESPONSE_INVALID, msg);
    if response.sectors.len() != request.len() {
        return Err(invalid(format!("{receiver}: sector change response mismatched sectors")));
    }
    for (sector, answer) in request.iter().zip(&response.sectors) {
        if answer.added.len() != sector.added.len() {
            return Err(invalid(format!(
                "{receiver}: sector change response mismatched pieces for sector {}",
                sector.sector
            )));
        }
        for (piece, accepted) in sector.added.iter().zip(&answer.added) {
            if !accepted.accepted {
                return Err(ActorError::new(
                    ERR_NOTIFICATION_REJECTED,
                    format!(
                        "sector change rejected by {receiver} for sector {} piece {} payload {:?}",
                        sector.sector, piece.data, piece.payload
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use cid::Cid;
    use fvm_ipld_encoding::RawBytes;
    use fvm_shared::error::{ErrorNumber, ExitCode};
    use fvm_shared::piece::PaddedPieceSize;

    use super::*;
    use crate::miner::ext::mock::MockRt;
    use crate::miner::types::{DataActivationNotification, PieceReturn, SectorReturn};

    fn cid(fill: u8) -> Cid {
        let mut bytes = vec![0x01, 0x81, 0xe2, 0x03, 0x92, 0x20, 0x20];
        bytes.extend([fill; 32]);
        Cid::try_from(bytes.as_slice()).unwrap()
    }

    fn piece(fill: u8, notify: &[(u64, u8)]) -> PieceActivationManifest {
        PieceActivationManifest {
            cid: cid(fill),
            size: PaddedPieceSize(128 * u64::from(fill)),
            verified_allocation_key: None,
            notify: notify
                .iter()
                .map(|&(id, payload)| DataActivationNotification {
                    address: Address::new_id(id),
                    payload: RawBytes::new(vec![payload]),
                })
                .collect(),
        }
    }

    /// Sector 9 (listed first) and sector 4; f0200 and the market f05 are notified.
    fn manifests() -> (Vec<PieceActivationManifest>, Vec<PieceActivationManifest>) {
        let nine = vec![piece(1, &[(200, 0xa1)]), piece(2, &[(5, 0xa2), (200, 0xa3)])];
        let four = vec![piece(3, &[(5, 0xa4)]), piece(4, &[])];
        (nine, four)
    }

    fn activations<'a>(
        nine: &'a [PieceActivationManifest],
        four: &'a [PieceActivationManifest],
    ) -> Vec<ActivationNotifications<'a>> {
        vec![
            ActivationNotifications { sector_number: 9, sector_expiration: 900, pieces: nine },
            ActivationNotifications { sector_number: 4, sector_expiration: 400, pieces: four },
        ]
    }

    fn change(sector: u64, expiry: i64, pieces: &[(u8, u8)]) -> SectorChanges {
        let added = pieces
            .iter()
            .map(|&(fill, payload)| PieceChange {
                data: cid(fill),
                size: PaddedPieceSize(128 * u64::from(fill)),
                payload: RawBytes::new(vec![payload]),
            })
            .collect();
        SectorChanges { sector, minimum_commitment_epoch: expiry, added }
    }

    fn accept(shape: &[usize]) -> SectorContentChangedReturn {
        let sectors = shape
            .iter()
            .map(|&n| SectorReturn { added: vec![PieceReturn { accepted: true }; n] })
            .collect();
        SectorContentChangedReturn { sectors }
    }

    #[test]
    fn one_message_per_receiver_in_upstreams_order() {
        let (nine, four) = manifests();
        let groups = group_notifications(&activations(&nine, &four));
        assert_eq!(
            groups,
            vec![
                (
                    Address::new_id(5),
                    vec![change(4, 400, &[(3, 0xa4)]), change(9, 900, &[(2, 0xa2)])]
                ),
                (Address::new_id(200), vec![change(9, 900, &[(1, 0xa1), (2, 0xa3)])]),
            ]
        );

        let mut rt = MockRt::new(100);
        rt.reply(&accept(&[1, 1]));
        rt.reply(&accept(&[2]));
        notify_data_consumers(&mut rt, &activations(&nine, &four), true).unwrap();
        assert_eq!(rt.sent.len(), 2);
        let first = &rt.sent[0];
        assert_eq!((first.to, first.method), (Address::new_id(5), 2_034_386_435));
        assert!(first.value.is_zero());
        // Bare list of [sector, expiry, [[cid, size, payload]]]: 82 83 04 19 0190 81 83 …
        let bytes = first.params_bytes();
        assert_eq!(&bytes[..7], &[0x82, 0x83, 0x04, 0x19, 0x01, 0x90, 0x81]);
        let decoded: SectorContentChangedParams = fvm_ipld_encoding::from_slice(&bytes).unwrap();
        assert_eq!(decoded.sectors, groups[0].1);
    }

    #[test]
    fn nothing_to_notify_sends_nothing() {
        let pieces = vec![piece(1, &[])];
        let mut rt = MockRt::new(100);
        let only =
            [ActivationNotifications { sector_number: 1, sector_expiration: 5, pieces: &pieces }];
        notify_data_consumers(&mut rt, &only, true).unwrap();
        assert!(rt.sent.is_empty());
    }

    type Setup = Box<dyn Fn(&mut MockRt)>;

    fn run(setup: impl Fn(&mut MockRt), require: bool) -> Result<usize, ExitCode> {
        let (nine, four) = manifests();
        let mut rt = MockRt::new(100);
        setup(&mut rt);
        let res = notify_data_consumers(&mut rt, &activations(&nine, &four), require);
        res.map(|()| rt.sent.len()).map_err(|e| e.exit_code())
    }

    #[test]
    fn failures_abort_only_when_success_is_required() {
        let code = ExitCode::new;
        let cases: Vec<(Setup, ExitCode)> = vec![
            (Box::new(|rt| rt.reply_errno(ErrorNumber::NotFound)), code(1001)),
            (Box::new(|rt| rt.reply_code(ExitCode::USR_FORBIDDEN)), code(1002)),
            (Box::new(|rt| rt.reply_code(ExitCode::OK)), code(1003)),
            (Box::new(|rt| rt.reply(&"not a list")), code(1003)),
            (Box::new(|rt| rt.reply(&accept(&[1]))), code(1003)),
            (Box::new(|rt| rt.reply(&accept(&[1, 2]))), code(1003)),
            (
                Box::new(|rt| {
                    rt.reply(&accept(&[1, 1]));
                    let mut no = accept(&[2]);
                    no.sectors[0].added[1].accepted = false;
                    rt.reply(&no);
                }),
                code(1004),
            ),
        ];
        for (i, (setup, expected)) in cases.iter().enumerate() {
            assert_eq!(run(setup, true), Err(*expected), "case {i}");
            assert_eq!(run(setup, false), Ok(2), "case {i}, not required");
        }
    }
}
