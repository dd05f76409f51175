// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.37;

/// @title Destructible
/// @notice SELFDESTRUCT, FEVM style (FEVM.md §3.6): the whole balance goes to the beneficiary
/// (to itself: a no-op, nothing is burned), the contract keeps working until the end of the
/// current message, and is dead (no code, storage reads 0) in later messages until a CREATE2 to
/// the same address resurrects it.
contract Destructible {
    uint256 public stored;
    address public deployer;

    constructor() payable {
        stored = 1;
        deployer = msg.sender;
    }

    receive() external payable {}

    function one() external pure returns (uint256) {
        return 1;
    }

    /// 1 here; 2 in `DestructibleV2` (to tell metamorphic redeploys apart).
    function version() external pure virtual returns (uint256) {
        return 1;
    }

    function set(uint256 value) external {
        stored = value;
    }

    function destroy(address payable beneficiary) external {
        selfdestruct(beneficiary);
    }

    /// SELFDESTRUCT with itself as beneficiary: the funds stay (FEVM does not burn them).
    function destroySelf() external {
        selfdestruct(payable(address(this)));
    }
}

/// @title DestructibleV2
/// @notice `Destructible` whose `version()` is 2.
contract DestructibleV2 is Destructible {
    function version() external pure override returns (uint256) {
        return 2;
    }
}

/// @title SelfDestructInConstructor
/// @notice Self-destructs while being constructed: the deployment succeeds with empty code and
/// the endowment goes to `beneficiary`.
contract SelfDestructInConstructor {
    constructor(address payable beneficiary) payable {
        selfdestruct(beneficiary);
    }
}

/// Where `MetamorphicInit` reads the code to install.
interface IImplementationSource {
    function currentImplementation() external view returns (address);
}

/// @title MetamorphicInit
/// @notice Initcode that does not depend on what it installs: it asks its deployer for an
/// implementation address and returns that contract's runtime code (EXTCODECOPY). CREATE2 with
/// the same salt therefore always lands on the same address, whatever code it installs.
contract MetamorphicInit {
    constructor() {
        address impl = IImplementationSource(msg.sender).currentImplementation();
        assembly {
            let size := extcodesize(impl)
            extcodecopy(impl, 0, 0, size)
            return(0, size)
        }
    }
}

/// @title LifecycleFactory
/// @notice Deploys, destroys and redeploys `Destructible`s at CREATE2 addresses.
contract LifecycleFactory is IImplementationSource {
    address public currentImplementation;

    event Deployed(address indexed addr, bytes32 salt);

    function deploy(bytes32 salt) public payable returns (address addr) {
        addr = address(new Destructible{salt: salt, value: msg.value}());
        emit Deployed(addr, salt);
    }

    /// Like `deploy`, but a failed CREATE2 (e.g. onto a live contract) returns `ok = false`.
    function tryDeploy(bytes32 salt) external payable returns (bool ok, address addr) {
        try new Destructible{salt: salt, value: msg.value}() returns (Destructible d) {
            ok = true;
            addr = address(d);
            emit Deployed(addr, salt);
        } catch {
            ok = false;
        }
    }

    function computeAddress(bytes32 salt) external view returns (address) {
        return _create2Address(salt, keccak256(type(Destructible).creationCode));
    }

    /// Destroys `target` and, in the same message, calls `one()` on it and reads its code size:
    /// FEVM returns 1 and the real (non-zero) code size.
    function destroyAndCallOne(address payable target, address payable beneficiary)
        external
        returns (uint256 oneResult, uint256 codeSize)
    {
        Destructible(target).destroy(beneficiary);
        oneResult = Destructible(target).one();
        codeSize = target.code.length;
    }

    /// Destroys `target` to `first`, sends it `msg.value`, destroys it again to `second`:
    /// `second` receives `msg.value` (a repeated SELFDESTRUCT moves the funds again).
    function destroyTwice(address payable target, address payable first, address payable second) external payable {
        Destructible(target).destroy(first);
        (bool ok,) = target.call{value: msg.value}("");
        require(ok, "LifecycleFactory: funding failed");
        Destructible(target).destroy(second);
    }

    /// CREATE2-deploys a `Destructible` and destroys it in the same message.
    function deployAndDestroy(bytes32 salt, address payable beneficiary) external payable returns (address addr) {
        addr = deploy(salt);
        Destructible(payable(addr)).destroy(beneficiary);
    }

    /// Deploys, destroys and tries to redeploy with the same salt in one message. The contract
    /// is not dead until the message ends, so FEVM refuses the redeploy (`redeployed == false`).
    function deployDestroyRedeploy(bytes32 salt, address payable beneficiary)
        external
        returns (address first, bool redeployed, address second)
    {
        first = deploy(salt);
        Destructible(payable(first)).destroy(beneficiary);
        try new Destructible{salt: salt}() returns (Destructible d) {
            redeployed = true;
            second = address(d);
        } catch {
            redeployed = false;
        }
    }

    /// Deploys a `SelfDestructInConstructor` with `msg.value`; returns its address and its code
    /// size right after the deployment (0).
    function deploySelfDestructing(address payable beneficiary)
        external
        payable
        returns (address addr, uint256 codeSize)
    {
        addr = address(new SelfDestructInConstructor{value: msg.value}(beneficiary));
        codeSize = addr.code.length;
    }

    /// CREATE2-deploys `MetamorphicInit` with `salt`, installing the runtime code of
    /// `implementation`. After a destroy (in an earlier message), the same salt redeploys at
    /// the same address with different code.
    function deployMetamorphic(bytes32 salt, address implementation) external returns (address addr) {
        currentImplementation = implementation;
        addr = address(new MetamorphicInit{salt: salt}());
        currentImplementation = address(0);
        emit Deployed(addr, salt);
    }

    function computeMetamorphicAddress(bytes32 salt) external view returns (address) {
        return _create2Address(salt, keccak256(type(MetamorphicInit).creationCode));
    }

    function _create2Address(bytes32 salt, bytes32 initcodeHash) private view returns (address) {
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), salt, initcodeHash)))));
    }
}
