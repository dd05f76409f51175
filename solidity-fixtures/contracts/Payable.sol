// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

/// @title Receiver
/// @notice `receive()` and `fallback()` that record every call and emit an event. Both write
/// storage, which needs more than Ethereum's 2300-gas stipend: `transfer`/`send` to it fail on
/// Ethereum but succeed on FEVM, which gives such calls 10M gas (FEVM.md §3.2).
contract Receiver {
    uint256 public receiveCount;
    uint256 public fallbackCount;
    uint256 public totalReceived;
    address public lastSender;
    bytes public lastData;

    event Received(address indexed sender, uint256 value);
    event FallbackCalled(address indexed sender, uint256 value, bytes data);

    receive() external payable {
        receiveCount += 1;
        totalReceived += msg.value;
        lastSender = msg.sender;
        emit Received(msg.sender, msg.value);
    }

    fallback() external payable {
        fallbackCount += 1;
        totalReceived += msg.value;
        lastSender = msg.sender;
        lastData = msg.data;
        emit FallbackCalled(msg.sender, msg.value, msg.data);
    }
}

/// @title NonPayable
/// @notice No `receive`, no `fallback`, only a non-payable function: plain value sends and
/// calls with value revert.
contract NonPayable {
    function ping() external pure returns (uint256) {
        return 1;
    }
}

/// @title RevertingReceiver
/// @notice Rejects every value transfer that runs its code.
contract RevertingReceiver {
    receive() external payable {
        revert("RevertingReceiver: no thanks");
    }
}

/// @title Sender
/// @notice Sends value from its own balance with `transfer`, `send` and `call{value:}`.
contract Sender {
    event Sent(address indexed to, uint256 amount, bool ok);

    receive() external payable {}

    function deposit() external payable {}

    /// `to.transfer(amount)`: reverts if the send fails.
    function sendViaTransfer(address payable to, uint256 amount) external {
        to.transfer(amount);
        emit Sent(to, amount, true);
    }

    /// `to.send(amount)`: returns false if the send fails.
    function sendViaSend(address payable to, uint256 amount) external returns (bool ok) {
        ok = to.send(amount);
        emit Sent(to, amount, ok);
    }

    /// `to.call{value: amount}("")` with all gas.
    function sendViaCall(address to, uint256 amount) external returns (bool ok, bytes memory returnData) {
        (ok, returnData) = to.call{value: amount}("");
        emit Sent(to, amount, ok);
    }

    /// `to.call{value: amount, gas: gasLimit}("")`.
    function sendViaCallWithGas(address to, uint256 amount, uint256 gasLimit)
        external
        returns (bool ok, bytes memory returnData)
    {
        (ok, returnData) = to.call{value: amount, gas: gasLimit}("");
        emit Sent(to, amount, ok);
    }
}
