//! FRC-46 fungible tokens: balances, allowances and the receiver hook, written once for the
//! datacap actor (work in progress).
