//! The account actor's `AuthenticateMessage` (FIP-0044) and init's `Exec` caller rules, which
//! every storage flow stands on.

use filecoin_vm::builtin::{
    AUTHENTICATE_MESSAGE_METHOD, AuthenticateMessageParams, EXEC_METHOD, ExecParams,
};
use filecoin_vm::{BuiltinType, INIT_ACTOR_ID};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;

use crate::harness::{Net, assert_exit, decode};

fn auth(net: &mut Net, signer: &Address, signature: Vec<u8>, message: &[u8]) -> (ExitCode, bool) {
    let params = AuthenticateMessageParams { signature, message: message.to_vec() };
    let bob = net.bob.address();
    let ret =
        net.send(&bob, signer, AUTHENTICATE_MESSAGE_METHOD, Some(&params), TokenAmount::default());
    let ok = ret.receipt.exit_code.is_success() && decode::<bool>(&ret);
    (ret.receipt.exit_code, ok)
}

#[test]
fn accounts_authenticate_their_own_signatures_only() {
    let mut net = Net::new();
    for key in [net.alice.clone(), net.carol.clone()] {
        let signer = key.address();
        let sig = key.sign(b"proposal").bytes().to_vec();
        assert_eq!(auth(&mut net, &signer, sig.clone(), b"proposal"), (ExitCode::OK, true));
        // Another message, or another key's signature: illegal argument, never `false`.
        assert_eq!(auth(&mut net, &signer, sig, b"proposal2").0, ExitCode::USR_ILLEGAL_ARGUMENT);
        let other = net.bob.sign(b"proposal").bytes().to_vec();
        assert_eq!(auth(&mut net, &signer, other, b"proposal").0, ExitCode::USR_ILLEGAL_ARGUMENT);
    }
    // A truncated signature and undecodable params.
    let alice = net.alice.address();
    assert_eq!(auth(&mut net, &alice, vec![1; 10], b"x").0, ExitCode::USR_ILLEGAL_ARGUMENT);
    let bob = net.bob.address();
    let ret = net.send_raw(
        &bob,
        &alice,
        AUTHENTICATE_MESSAGE_METHOD,
        RawBytes::new(vec![0xff]),
        TokenAmount::default(),
    );
    assert_exit(&ret, ExitCode::USR_SERIALIZATION);
}

#[test]
fn authentication_is_charged_as_the_network_charges_it() {
    // A BLS check (two pairings) costs far more than a secp256k1 one (a recovery): the gas of
    // the two messages differs by about 2 × 8.3M − 1.6M.
    let mut net = Net::new();
    let (alice, carol) = (net.alice.address(), net.carol.address());
    let bob = net.bob.address();
    let mut gas = Vec::new();
    for (signer, key) in [(alice, net.alice.clone()), (carol, net.carol.clone())] {
        let params = AuthenticateMessageParams {
            signature: key.sign(b"m").bytes().to_vec(),
            message: b"m".to_vec(),
        };
        let ret = net.send(
            &bob,
            &signer,
            AUTHENTICATE_MESSAGE_METHOD,
            Some(&params),
            TokenAmount::default(),
        );
        assert_exit(&ret, ExitCode::OK);
        gas.push(ret.receipt.gas_used as i64);
    }
    let difference = gas[1] - gas[0];
    assert!((13_000_000..16_500_000).contains(&difference), "BLS − secp gas = {difference}");
}

#[test]
fn init_exec_refuses_contracts_and_codes_it_may_not_create() {
    let mut net = Net::new();
    let init = Address::new_id(INIT_ACTOR_ID);
    // A miner may only be created by the power actor.
    let params = ExecParams {
        code_cid: BuiltinType::Miner.code_cid(),
        constructor_params: RawBytes::default(),
    };
    let alice = net.alice.address();
    let ret = net.send(&alice, &init, EXEC_METHOD, Some(&params), TokenAmount::default());
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    // Nor an EVM actor, or any other kind, through Exec.
    let params = ExecParams {
        code_cid: BuiltinType::Evm.code_cid(),
        constructor_params: RawBytes::default(),
    };
    let ret = net.send(&alice, &init, EXEC_METHOD, Some(&params), TokenAmount::default());
    assert_exit(&ret, ExitCode::USR_FORBIDDEN);
    // Exec is not exported: a contract cannot call it at all, whatever it creates.
    let params = ExecParams {
        code_cid: BuiltinType::Multisig.code_cid(),
        constructor_params: RawBytes::default(),
    };
    let (code, _) = net.contract_call(&init, EXEC_METHOD, Some(&params), TokenAmount::default());
    assert_eq!(code, ExitCode::USR_FORBIDDEN);
}
