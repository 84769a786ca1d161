// swift-tools-version:5.9
// The Swift package of intune-apple. `IntuneApple` is the generated Swift API
// (Sources/IntuneApple/intune_apple.swift, committed and checked for drift by scripts/test-kotlin);
// `intune_appleFFI` is the Rust library, as an XCFramework that ./build-xcframework builds on
// macOS (docs/swift.md).
import PackageDescription

let package = Package(
    name: "IntuneApple",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [
        .library(name: "IntuneApple", targets: ["IntuneApple"]),
    ],
    targets: [
        .binaryTarget(name: "intune_appleFFI", path: "IntuneAppleFFI.xcframework"),
        .target(
            name: "IntuneApple",
            dependencies: ["intune_appleFFI"],
            path: "Sources/IntuneApple",
            // what the Rust library's TLS and network stack use on Apple platforms
            linkerSettings: [
                .linkedFramework("Security"),
                .linkedFramework("SystemConfiguration"),
                .linkedFramework("CoreFoundation"),
            ]
        ),
        .testTarget(
            name: "IntuneAppleTests",
            dependencies: ["IntuneApple"],
            path: "Tests/IntuneAppleTests"
        ),
    ]
)
