//! Malformed address strings from published test suites. Data only: the test that uses it is
//! `published_malformed_strings_are_rejected` in `../vectors.rs`.

use address_mapping::AddressError;

/// Sources: ref-fvm `invalid_string_addresses` / `invalid_strings_tests`, go-address
/// `TestInvalidStringAddresses`, trustwallet `invalidAddresses` and `ConvertToEth` invalid rows.
/// The expected variants are ours; the sources only say "invalid" with their own error types.
pub(crate) fn published_malformed() -> Vec<(&'static str, AddressError)> {
    use AddressError::*;
    vec![
        ("Q2gfvuyh7v2sx3patm5k23wdzmhyhtmqctasbr23y", UnknownNetwork('Q')),
        ("f5gfvuyh7v2sx3patm5k23wdzmhyhtmqctasbr23y", UnknownProtocol('5')),
        ("t5gfvuyh7v2sx3patm5k23wdzmhyhtmqctasbr23y", UnknownProtocol('5')),
        ("f2gfvuyh7v2sx3patm5k23wdzmhyhtmqctasbr24y", InvalidChecksum),
        ("f0banananananannnnnnnnn", InvalidDecimal("banananananannnnnnnnn".into())),
        ("f0banananananannnnnnnn", InvalidDecimal("banananananannnnnnnn".into())),
        ("f2gfvuyh7v2sx3patm1k23wdzmhyhtmqctasbr24y", InvalidBase32Character(18)),
        ("f2gfvuyh7v2sx3paTm1k23wdzmhyhtmqctasbr24y", InvalidBase32Character(16)),
        ("f2", InvalidLength(2)),
        ("t2", InvalidLength(2)),
        ("t", InvalidLength(1)),
        ("t0", InvalidLength(2)),
        ("f1mzxqu", MissingChecksum),
        ("t1234q", MissingChecksum),
        ("fömk3zcefvlgpay4f32c5vmruk5gqig6dumc7pz6q", UnknownProtocol('ö')),
        ("🗻∈🌏ömk3zcefvlgpay4f32c5vmruk5gqig6dumc7", UnknownNetwork('🗻')),
        ("ö", UnknownNetwork('ö')),
        ("", Empty),
        ("f0-1", InvalidDecimal("-1".into())),
        ("f018446744073709551616", DecimalOverflow("18446744073709551616".into())),
        ("f418446744073709551615", MissingNamespaceSeparator),
        ("f4f77777777vnmsana", InvalidDecimal(String::new())),
        ("f15ihq5ibzwki2b4ep2f46avlkr\0zhpqgtga7pdrq", InvalidBase32Character(27)),
        ("a15ihq5ibzwki2b4ep2f46avlkrqzhpqgtga7pdrq", UnknownNetwork('a')),
        ("f95ihq5ibzwki2b4ep2f46avlkrqzhpqgtga7pdrq", UnknownProtocol('9')),
        // Checksum-corrupting edits that also set bits past the last whole byte.
        ("f15ihq5ibzwki2b4ep2f46avlkrqzhpqgtga7rdrr", NonCanonicalBase32),
        ("f24vg6ut43yw2h2jqydgbg2xq7x6f4kub3bg6as66", NonCanonicalBase32),
        (
            "f3vvmn62lofvhjd2ugzca6sof2j2ubwok6cj4xxbfzz4yuxfkgobpihhd2thlanmsh3w2ptld2gqkn2jvlss44",
            NonCanonicalBase32,
        ),
        (
            "f0vvmn62lofvhjd2ugzca6sof2j2ubwok6cj4xxbfzz4yuxfkgobpihhd2thlanmsh3w2ptld2gqkn2jvlss44",
            InvalidDecimal(
                "vvmn62lofvhjd2ugzca6sof2j2ubwok6cj4xxbfzz4yuxfkgobpihhd2thlanmsh3w2ptld2gqkn2jvlss44"
                    .into(),
            ),
        ),
        ("f410f2oekwcmo2pueydmaq53eic2i62crtbeyuzx2gma", InvalidChecksum),
        ("f432f77777777x32lpn", NonCanonicalBase32),
    ]
}
