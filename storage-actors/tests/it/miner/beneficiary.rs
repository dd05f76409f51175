//! Beneficiaries (FIP-0029) and withdrawals, and the sector queries (FIP-0112 locations).

use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use storage_actors::miner::types::*;
use storage_actors::reward::{AWARD_BLOCK_REWARD_METHOD, AwardBlockRewardParams};

use super::setup::*;
use crate::harness::{FIL, assert_exit, decode};

#[test]
fn beneficiary_and_withdrawals() {
    let mut net = net();
    let (alice, bob, carol) = (net.alice.address(), net.bob.address(), net.carol.address());
    let miner = create_miner(&mut net, TokenAmount::from_atto(ENOUGH));
    let bob_id = Address::new_id(net.id(&bob));
    let alice_id = Address::new_id(net.id(&alice));

    // Withdraw checks.
    let neg = WithdrawBalanceParams { amount_requested: TokenAmount::from_atto(-1) };
    assert_exit(
        &call(&mut net, &alice, &miner, WITHDRAW_BALANCE_METHOD, Some(&neg)),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    let one = WithdrawBalanceParams { amount_requested: TokenAmount::from_atto(FIL) };
    assert_exit(
        &call(&mut net, &carol, &miner, WITHDRAW_BALANCE_METHOD, Some(&one)),
        ExitCode::USR_FORBIDDEN,
    );
    let before = net.balance(&alice);
    let r: WithdrawBalanceReturn =
        decode(&call(&mut net, &alice, &miner, WITHDRAW_BALANCE_EXPORTED, Some(&one)));
    assert_eq!(r.amount_withdrawn, TokenAmount::from_atto(FIL));
    assert!(net.balance(&alice) > before);

    // No proposal.
    let prop = ChangeBeneficiaryParams {
        new_beneficiary: bob,
        new_quota: TokenAmount::from_atto(10 * FIL),
        new_expiration: net.epoch + 1000,
    };
    assert_exit(
        &call(&mut net, &bob, &miner, CHANGE_BENEFICIARY_METHOD, Some(&prop)),
        ExitCode::USR_FORBIDDEN,
    );
    let zero = ChangeBeneficiaryParams { new_quota: TokenAmount::default(), ..prop.clone() };
    assert_exit(
        &call(&mut net, &alice, &miner, CHANGE_BENEFICIARY_METHOD, Some(&zero)),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    assert_exit(
        &call(&mut net, &alice, &miner, CHANGE_BENEFICIARY_EXPORTED, Some(&prop)),
        ExitCode::OK,
    );
    let b: GetBeneficiaryReturn =
        decode(&call::<()>(&mut net, &carol, &miner, GET_BENEFICIARY_METHOD, None));
    assert_eq!(b.active.beneficiary, alice_id);
    let proposed = b.proposed.unwrap();
    assert!(proposed.approved_by_beneficiary && !proposed.approved_by_nominee);
    assert_eq!(proposed.new_beneficiary, bob_id);
    // Mismatch and wrong caller.
    let other =
        ChangeBeneficiaryParams { new_quota: TokenAmount::from_atto(11 * FIL), ..prop.clone() };
    assert_exit(
        &call(&mut net, &bob, &miner, CHANGE_BENEFICIARY_METHOD, Some(&other)),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    assert_exit(
        &call(&mut net, &carol, &miner, CHANGE_BENEFICIARY_METHOD, Some(&prop)),
        ExitCode::USR_FORBIDDEN,
    );
    assert_exit(
        &call(&mut net, &bob, &miner, CHANGE_BENEFICIARY_METHOD, Some(&prop)),
        ExitCode::OK,
    );
    let b: GetBeneficiaryReturn =
        decode(&call::<()>(&mut net, &carol, &miner, GET_BENEFICIARY_EXPORTED, None));
    assert_eq!(b.active.beneficiary, bob_id);
    assert_eq!(b.active.term.quota, TokenAmount::from_atto(10 * FIL));
    assert!(b.proposed.is_none());

    // Owner's withdrawal goes to bob, capped by the quota.
    let big = WithdrawBalanceParams { amount_requested: TokenAmount::from_atto(50 * FIL) };
    let bob_before = net.balance(&bob);
    let r: WithdrawBalanceReturn =
        decode(&call(&mut net, &alice, &miner, WITHDRAW_BALANCE_METHOD, Some(&big)));
    assert_eq!(r.amount_withdrawn, TokenAmount::from_atto(10 * FIL));
    assert_eq!(net.balance(&bob) - bob_before, TokenAmount::from_atto(10 * FIL));
    // Quota spent.
    assert_exit(
        &call(&mut net, &bob, &miner, WITHDRAW_BALANCE_METHOD, Some(&one)),
        ExitCode::USR_FORBIDDEN,
    );

    // Back to the owner: quota must be zero; beneficiary's term is spent so auto-approved.
    let back = ChangeBeneficiaryParams {
        new_beneficiary: alice_id,
        new_quota: TokenAmount::default(),
        new_expiration: 0,
    };
    assert_exit(
        &call(&mut net, &alice, &miner, CHANGE_BENEFICIARY_METHOD, Some(&back)),
        ExitCode::OK,
    );
    let b: GetBeneficiaryReturn =
        decode(&call::<()>(&mut net, &carol, &miner, GET_BENEFICIARY_METHOD, None));
    assert_eq!(b.active.beneficiary, alice_id);
    assert!(b.proposed.is_none());
    assert!(b.active.term.used_quota.is_zero());

    // Repay debt (none) from control; not from bob.
    assert_exit(&call::<()>(&mut net, &carol, &miner, REPAY_DEBT_EXPORTED, None), ExitCode::OK);
    assert_exit(
        &call::<()>(&mut net, &bob, &miner, REPAY_DEBT_METHOD, None),
        ExitCode::USR_FORBIDDEN,
    );

    // Rewards: only from f02.
    let p = ApplyRewardParams { reward: TokenAmount::default(), penalty: TokenAmount::default() };
    assert_exit(
        &call(&mut net, &alice, &miner, APPLY_REWARDS_METHOD, Some(&p)),
        ExitCode::USR_FORBIDDEN,
    );
    let locked_before = miner_state(&mut net, &miner).locked_funds;
    let award = AwardBlockRewardParams {
        miner,
        penalty: TokenAmount::default(),
        gas_reward: TokenAmount::default(),
        win_count: 1,
    };
    let ret = net.implicit(&Address::new_id(2), AWARD_BLOCK_REWARD_METHOD, Some(&award));
    assert_exit(&ret, ExitCode::OK);
    let locked_after = miner_state(&mut net, &miner).locked_funds;
    println!("locked {locked_before} -> {locked_after}");
    assert!(locked_after > locked_before);
}

#[test]
fn sector_queries() {
    let mut net = net();
    let (alice, carol) = (net.alice.address(), net.carol.address());
    let miner = create_miner(&mut net, TokenAmount::from_atto(ENOUGH));
    assert_exit(
        &call(
            &mut net,
            &alice,
            &miner,
            CHECK_SECTOR_PROVEN_METHOD,
            Some(&CheckSectorProvenParams { sector_number: 1 }),
        ),
        ExitCode::USR_NOT_FOUND,
    );
    assert_exit(
        &call(
            &mut net,
            &alice,
            &miner,
            CHECK_SECTOR_PROVEN_METHOD,
            Some(&CheckSectorProvenParams { sector_number: u64::MAX }),
        ),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    assert_exit(
        &call(&mut net, &alice, &miner, GET_NOMINAL_SECTOR_EXPIRATION_EXPORTED, Some(&1u64)),
        ExitCode::USR_NOT_FOUND,
    );
    let g: GenerateSectorLocationReturn = decode(&call(
        &mut net,
        &alice,
        &miner,
        GENERATE_SECTOR_LOCATION_EXPORTED,
        Some(&GenerateSectorLocationParams { sector_number: 1 }),
    ));
    assert_eq!(g.status, SectorStatusCode::Dead);
    let loc: SectorLocation = fvm_ipld_encoding::from_slice(&g.aux_data).unwrap();
    assert_eq!((loc.deadline, loc.partition), (-1, -1));
    let v: ValidateSectorStatusReturn = decode(&call(
        &mut net,
        &alice,
        &miner,
        VALIDATE_SECTOR_STATUS_EXPORTED,
        Some(&ValidateSectorStatusParams {
            sector_number: 1,
            status: SectorStatusCode::Dead,
            aux_data: g.aux_data,
        }),
    ));
    assert!(v.valid);
    let mixed = fvm_ipld_encoding::to_vec(&SectorLocation { deadline: -1, partition: 0 }).unwrap();
    assert_exit(
        &call(
            &mut net,
            &alice,
            &miner,
            VALIDATE_SECTOR_STATUS_EXPORTED,
            Some(&ValidateSectorStatusParams {
                sector_number: 1,
                status: SectorStatusCode::Dead,
                aux_data: mixed,
            }),
        ),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    assert_exit(
        &call(
            &mut net,
            &alice,
            &miner,
            VALIDATE_SECTOR_STATUS_EXPORTED,
            Some(&ValidateSectorStatusParams {
                sector_number: 1,
                status: SectorStatusCode::Dead,
                aux_data: vec![0xff],
            }),
        ),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );

    let sectors = vec![cc_precommit(&net, 1, 300 * DAY)];
    let ret = from_worker(
        &mut net,
        &miner,
        PRE_COMMIT_SECTOR_BATCH2_METHOD,
        &PreCommitSectorBatch2Params { sectors },
    );
    assert_exit(&ret, ExitCode::OK);
    net.advance(11);
    let ret = from_worker(&mut net, &miner, PROVE_COMMIT_SECTORS3_METHOD, &prove_params(&[1]));
    assert_exit(&ret, ExitCode::OK);
    assert_exit(
        &call(
            &mut net,
            &alice,
            &miner,
            CHECK_SECTOR_PROVEN_METHOD,
            Some(&CheckSectorProvenParams { sector_number: 1 }),
        ),
        ExitCode::OK,
    );
    let e: GetNominalSectorExpirationReturn = decode(&call(
        &mut net,
        &alice,
        &miner,
        GET_NOMINAL_SECTOR_EXPIRATION_EXPORTED,
        Some(&1u64),
    ));
    assert!(e.expiration > net.epoch);
    let g: GenerateSectorLocationReturn = decode(&call(
        &mut net,
        &alice,
        &miner,
        GENERATE_SECTOR_LOCATION_EXPORTED,
        Some(&GenerateSectorLocationParams { sector_number: 1 }),
    ));
    assert_eq!(g.status, SectorStatusCode::Active);
    let loc: SectorLocation = fvm_ipld_encoding::from_slice(&g.aux_data).unwrap();
    assert_eq!((loc.deadline as u64, loc.partition as u64), locate(&mut net, &miner, 1));
    for (status, valid) in [
        (SectorStatusCode::Active, true),
        (SectorStatusCode::Faulty, false),
        (SectorStatusCode::Dead, false),
    ] {
        let v: ValidateSectorStatusReturn = decode(&call(
            &mut net,
            &alice,
            &miner,
            VALIDATE_SECTOR_STATUS_EXPORTED,
            Some(&ValidateSectorStatusParams {
                sector_number: 1,
                status,
                aux_data: g.aux_data.clone(),
            }),
        ));
        assert_eq!(v.valid, valid);
    }
    let none = fvm_ipld_encoding::to_vec(&SectorLocation { deadline: -1, partition: -1 }).unwrap();
    assert_exit(
        &call(
            &mut net,
            &alice,
            &miner,
            VALIDATE_SECTOR_STATUS_EXPORTED,
            Some(&ValidateSectorStatusParams {
                sector_number: 1,
                status: SectorStatusCode::Dead,
                aux_data: none,
            }),
        ),
        ExitCode::USR_NOT_FOUND,
    );
    let far = fvm_ipld_encoding::to_vec(&SectorLocation { deadline: 99, partition: 0 }).unwrap();
    assert_exit(
        &call(
            &mut net,
            &alice,
            &miner,
            VALIDATE_SECTOR_STATUS_EXPORTED,
            Some(&ValidateSectorStatusParams {
                sector_number: 1,
                status: SectorStatusCode::Dead,
                aux_data: far,
            }),
        ),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
    let nopart =
        fvm_ipld_encoding::to_vec(&SectorLocation { deadline: loc.deadline, partition: 5 })
            .unwrap();
    assert_exit(
        &call(
            &mut net,
            &alice,
            &miner,
            VALIDATE_SECTOR_STATUS_EXPORTED,
            Some(&ValidateSectorStatusParams {
                sector_number: 1,
                status: SectorStatusCode::Dead,
                aux_data: nopart,
            }),
        ),
        ExitCode::USR_NOT_FOUND,
    );

    let rcf =
        ReportConsensusFaultParams { header1: vec![1], header2: vec![2], header_extra: vec![] };
    assert_exit(
        &call(&mut net, &carol, &miner, REPORT_CONSENSUS_FAULT_METHOD, Some(&rcf)),
        ExitCode::USR_ILLEGAL_ARGUMENT,
    );
}
