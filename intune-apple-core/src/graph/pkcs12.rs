//! Reads an app registration's certificate and private key from a PKCS#12 file (`.pfx`, `.p12`:
//! what Windows, Key Vault and the Azure portal export), RFC 7292.
//!
//! What is read: the password-integrity MAC (SHA-1 or SHA-2), safe contents in the clear or
//! encrypted, key bags and shrouded key bags, X.509 certificate bags. Encryption: PBES2
//! (PBKDF2 with AES or 3DES: OpenSSL 3 and "AES256-SHA256" exports) and the PKCS#12 PBE schemes
//! (3DES, 2-key 3DES, 40- and 128-bit RC2: OpenSSL 1.x, `-legacy` and "TripleDES-SHA1" exports).
//! Nothing read here is kept longer than needed: decrypted key material is zeroed on drop.

use cbc::cipher::{block_padding::Pkcs7, BlockDecryptMut as _, InnerIvInit as _, KeyIvInit as _};
use cms::content_info::ContentInfo;
use cms::encrypted_data::EncryptedData;
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode as _, Encode as _};
use hmac::Mac as _;
use pkcs12::kdf::{derive_key, Pkcs12KeyType};
use pkcs12::pbe_params::{EncryptedPrivateKeyInfo, Pkcs12PbeParams};
use pkcs12::safe_bag::SafeContents;
use x509_cert::spki::{AlgorithmIdentifierOwned, AlgorithmIdentifierRef};
use zeroize::Zeroizing;

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const KEY_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.1");
const SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
const X509_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
const PBE_SHA1_RC2_128: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.5");
const PBE_SHA1_RC2_40: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.6");
const PBE_SHA1_3DES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.3");
const PBE_SHA1_2DES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.4");
const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");

/// More key-derivation rounds than any exporter uses (OpenSSL 2,048, Windows 2,000 to 600,000):
/// a file asking for more is refused rather than left to spin for minutes.
const MAX_ITERATIONS: i64 = 10_000_000;

/// The most memory one scrypt derivation may take (`128 * r * N` bytes): OpenSSL's own default
/// limit is 32 MiB; exporters use 16 to 32 MiB.
pub(crate) const MAX_SCRYPT_MEMORY: u64 = 64 * 1024 * 1024;

/// The most scrypt lanes (`p`) accepted; exporters use 1.
pub(crate) const MAX_SCRYPT_PARALLELISM: u16 = 16;

/// The work one file may ask for in all (every MAC check, key bag and safe together), in
/// PBKDF2 rounds; an scrypt derivation counts `2 * N * r * p`. A file (or PEM text) asking for
/// more is refused before any of it is spent: a few seconds of CPU at most.
pub(crate) const WORK_BUDGET: u64 = 20_000_000;

/// What one file has left to spend on key derivation.
pub(crate) struct Budget {
    left: std::cell::Cell<u64>,
}

impl Budget {
    /// A whole [`WORK_BUDGET`].
    pub(crate) fn new() -> Self {
        Self {
            left: std::cell::Cell::new(WORK_BUDGET),
        }
    }

    fn spend(&self, units: u64) -> Result<(), Pkcs12Error> {
        match self.left.get().checked_sub(units) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => Err(Pkcs12Error::TooCostly(format!(
                "more than {WORK_BUDGET} key-derivation rounds in all"
            ))),
        }
    }
}

/// Checks, and charges to `budget`, the key derivation of a PBES2 (or PBES1) scheme before it
/// runs: PBKDF2 rounds, and scrypt's memory (`128 * r * N`), lanes and work.
pub(crate) fn charge_scheme(
    scheme: &pkcs5::EncryptionScheme<'_>,
    budget: &Budget,
) -> Result<(), Pkcs12Error> {
    let pkcs5::EncryptionScheme::Pbes2(p) = scheme else {
        // PBES1 counts its rounds in 16 bits: at most 65,535.
        return budget.spend(u64::from(u16::MAX));
    };
    match &p.kdf {
        pkcs5::pbes2::Kdf::Pbkdf2(k) => {
            if i64::from(k.iteration_count) > MAX_ITERATIONS {
                return Err(Pkcs12Error::TooCostly(format!(
                    "{} PBKDF2 rounds (more than {MAX_ITERATIONS})",
                    k.iteration_count
                )));
            }
            budget.spend(u64::from(k.iteration_count))
        }
        pkcs5::pbes2::Kdf::Scrypt(k) => {
            let (n, r, lanes) = (
                k.cost_parameter,
                u64::from(k.block_size),
                u64::from(k.parallelization),
            );
            let memory = n.checked_mul(r).and_then(|x| x.checked_mul(128));
            if memory.is_none_or(|m| m > MAX_SCRYPT_MEMORY) {
                return Err(Pkcs12Error::TooCostly(format!(
                    "scrypt with N = {n} and r = {r} (128 * r * N bytes of memory, more than {} MiB)",
                    MAX_SCRYPT_MEMORY / (1024 * 1024)
                )));
            }
            if k.parallelization > MAX_SCRYPT_PARALLELISM {
                return Err(Pkcs12Error::TooCostly(format!(
                    "scrypt with p = {lanes} (more than {MAX_SCRYPT_PARALLELISM})"
                )));
            }
            let work = n
                .checked_mul(r)
                .and_then(|x| x.checked_mul(lanes))
                .and_then(|x| x.checked_mul(2))
                .unwrap_or(u64::MAX);
            budget.spend(work)
        }
        _ => Err(Pkcs12Error::Unsupported("an unknown key derivation".into())),
    }
}

/// Why a PKCS#12 file could not be read. The texts never contain the password or key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Pkcs12Error {
    /// The bytes are not a PKCS#12 file.
    #[error("the file is not a PKCS#12 (.pfx/.p12) file ({0}); give a PEM file or a PFX export of the certificate with its private key")]
    Malformed(String),
    /// The password does not open the file.
    #[error("the password does not open this PKCS#12 (.pfx/.p12) file: give the password it was exported with (a Key Vault or Azure portal download has none: leave it empty)")]
    WrongPassword,
    /// An algorithm this reader does not implement.
    #[error("the PKCS#12 file uses {0}, which this library does not read; export it again with AES-256 (Windows: \"AES256-SHA256\"; OpenSSL 3: openssl pkcs12 -export, its default)")]
    Unsupported(String),
    /// A limit was exceeded.
    #[error("the PKCS#12 file asks for {0} key-derivation rounds, more than any exporter uses; export it again")]
    TooManyRounds(i64),
    /// The key derivation would cost more memory or time than any exporter asks for.
    #[error("the key derivation of this file asks for {0}, more than any exporter uses, so it was refused before it ran; export the certificate again with the tool's defaults")]
    TooCostly(String),
}

/// The contents of a PKCS#12 file that an app credential needs.
pub(crate) struct Contents {
    /// Every X.509 certificate, DER, in file order.
    pub certificates: Vec<Vec<u8>>,
    /// Every private key, PKCS#8 DER, in file order.
    pub keys: Vec<Zeroizing<Vec<u8>>>,
}

/// The password in the two forms PKCS#12 uses: UTF-8 for PBES2, and BMPString (UTF-16BE with a
/// two-byte terminator) for its own key derivation.
struct Password<'a> {
    utf8: &'a str,
    bmp: Zeroizing<Vec<u8>>,
}

impl<'a> Password<'a> {
    fn new(password: &'a str, terminated: bool) -> Self {
        let mut bmp: Vec<u8> = password.encode_utf16().flat_map(u16::to_be_bytes).collect();
        if terminated {
            bmp.extend([0, 0]);
        }
        Self {
            utf8: password,
            bmp: Zeroizing::new(bmp),
        }
    }
}

fn malformed(what: &str) -> impl Fn(der::Error) -> Pkcs12Error + '_ {
    move |e| Pkcs12Error::Malformed(format!("{what}: {e}"))
}

/// Opens `data` with `password`.
pub(crate) fn open(data: &[u8], password: &str) -> Result<Contents, Pkcs12Error> {
    let pfx = pkcs12::pfx::Pfx::from_der(data).map_err(malformed("PFX structure"))?;
    let auth_safe = data_octets(&pfx.auth_safe)?;
    // Tools derive the keys of an empty password either from its two-byte terminator alone or
    // from no bytes at all (a "null" password); OpenSSL tries both, and so do we.
    let candidates: Vec<Password> = if password.is_empty() {
        vec![Password::new("", true), Password::new("", false)]
    } else {
        vec![Password::new(password, true)]
    };
    let budget = Budget::new();
    let password = match &pfx.mac_data {
        Some(mac) => candidates
            .into_iter()
            .find_map(|p| match verify_mac(mac, &auth_safe, &p, &budget) {
                Ok(true) => Some(Ok(p)),
                Ok(false) => None,
                Err(e) => Some(Err(e)),
            })
            .ok_or(Pkcs12Error::WrongPassword)??,
        // Without a MAC, a wrong password shows as a decryption failure below.
        None => candidates
            .into_iter()
            .next()
            .ok_or(Pkcs12Error::WrongPassword)?,
    };
    let safes: Vec<ContentInfo> =
        Vec::from_der(&auth_safe).map_err(malformed("authenticated safe"))?;
    let mut contents = Contents {
        certificates: Vec::new(),
        keys: Vec::new(),
    };
    // Without a MAC a wrong password can decrypt to bytes that only look padded: what does not
    // parse after decryption is then put down to the password.
    let unverified = pfx.mac_data.is_none();
    for safe in &safes {
        let decrypted = safe.content_type == ID_ENCRYPTED_DATA;
        let bags = if safe.content_type == ID_DATA {
            Zeroizing::new(data_octets(safe)?)
        } else if decrypted {
            let encrypted: EncryptedData = safe
                .content
                .decode_as()
                .map_err(malformed("encrypted safe"))?;
            let info = &encrypted.enc_content_info;
            match &info.encrypted_content {
                Some(ct) => decrypt(&info.content_enc_alg, ct.as_bytes(), &password, &budget)?,
                None => continue,
            }
        } else {
            // Enveloped (public-key) safes are not used for app certificates.
            continue;
        };
        let bags: SafeContents = Vec::from_der(&bags).map_err(|e| {
            if decrypted && unverified {
                Pkcs12Error::WrongPassword
            } else {
                malformed("safe contents")(e)
            }
        })?;
        for bag in &bags {
            // `bag_value` is the whole `[0] EXPLICIT` element: its content is the value.
            let value = der::AnyRef::from_der(&bag.bag_value).map_err(malformed("safe bag"))?;
            let value = value.value();
            if bag.bag_id == CERT_BAG {
                let cert = pkcs12::cert_type::CertBag::from_der(value)
                    .map_err(malformed("certificate bag"))?;
                if cert.cert_id == X509_CERTIFICATE {
                    contents
                        .certificates
                        .push(cert.cert_value.as_bytes().to_vec());
                }
            } else if bag.bag_id == KEY_BAG {
                contents.keys.push(Zeroizing::new(value.to_vec()));
            } else if bag.bag_id == SHROUDED_KEY_BAG {
                let shrouded = EncryptedPrivateKeyInfo::from_der(value)
                    .map_err(malformed("shrouded key bag"))?;
                contents.keys.push(decrypt(
                    &shrouded.encryption_algorithm,
                    shrouded.encrypted_data.as_bytes(),
                    &password,
                    &budget,
                )?);
            }
        }
    }
    Ok(contents)
}

/// The octets of a `data` content info.
fn data_octets(info: &ContentInfo) -> Result<Vec<u8>, Pkcs12Error> {
    if info.content_type != ID_DATA {
        return Err(Pkcs12Error::Unsupported(format!(
            "content of type {} where data was expected",
            info.content_type
        )));
    }
    let octets: OctetString = info
        .content
        .decode_as()
        .map_err(malformed("data content"))?;
    Ok(octets.into_bytes())
}

fn rounds(iterations: i64) -> Result<i32, Pkcs12Error> {
    if iterations > MAX_ITERATIONS {
        return Err(Pkcs12Error::TooManyRounds(iterations));
    }
    i32::try_from(iterations.max(1)).map_err(|_| Pkcs12Error::TooManyRounds(iterations))
}

/// Checks the integrity MAC: `Ok(false)` when it does not match (a wrong password).
fn verify_mac(
    mac: &pkcs12::mac_data::MacData,
    auth_safe: &[u8],
    password: &Password,
    budget: &Budget,
) -> Result<bool, Pkcs12Error> {
    let salt = mac.mac_salt.as_bytes();
    let n = rounds(i64::from(mac.iterations))?;
    budget.spend(u64::try_from(n).unwrap_or(u64::MAX))?;
    let expected = mac.mac.digest.as_bytes();
    macro_rules! check {
        ($d:ty, $len:expr) => {{
            let key = Zeroizing::new(derive_key::<$d>(
                &password.bmp,
                salt,
                Pkcs12KeyType::Mac,
                n,
                $len,
            ));
            let mut hmac = hmac::Hmac::<$d>::new_from_slice(&key)
                .map_err(|_| Pkcs12Error::Malformed("MAC key".into()))?;
            hmac.update(auth_safe);
            Ok(hmac.verify_slice(expected).is_ok())
        }};
    }
    match mac.mac.algorithm.oid {
        oid if oid == SHA1 => check!(sha1::Sha1, 20),
        oid if oid == SHA256 => check!(sha2::Sha256, 32),
        oid if oid == SHA384 => check!(sha2::Sha384, 48),
        oid if oid == SHA512 => check!(sha2::Sha512, 64),
        oid => Err(Pkcs12Error::Unsupported(format!("a MAC with digest {oid}"))),
    }
}

/// Decrypts with the scheme `alg` names.
fn decrypt(
    alg: &AlgorithmIdentifierOwned,
    ciphertext: &[u8],
    password: &Password,
    budget: &Budget,
) -> Result<Zeroizing<Vec<u8>>, Pkcs12Error> {
    if alg.oid == PBES2 {
        let der = alg.to_der().map_err(malformed("PBES2 parameters"))?;
        let alg = AlgorithmIdentifierRef::from_der(&der).map_err(malformed("PBES2 parameters"))?;
        let scheme = pkcs5::EncryptionScheme::try_from(alg)
            .map_err(|e| Pkcs12Error::Unsupported(format!("PBES2 with {e}")))?;
        charge_scheme(&scheme, budget)?;
        return scheme
            .decrypt(password.utf8, ciphertext)
            .map(Zeroizing::new)
            .map_err(|_| Pkcs12Error::WrongPassword);
    }
    let params: Pkcs12PbeParams = alg
        .parameters
        .as_ref()
        .ok_or_else(|| Pkcs12Error::Malformed("PBE parameters missing".into()))?
        .decode_as()
        .map_err(malformed("PBE parameters"))?;
    let n = rounds(i64::from(params.iterations))?;
    // Two derivations: the IV and the key.
    budget.spend(u64::try_from(n).unwrap_or(u64::MAX).saturating_mul(2))?;
    let salt = params.salt.as_bytes();
    let derive =
        |kind, len| Zeroizing::new(derive_key::<sha1::Sha1>(&password.bmp, salt, kind, n, len));
    let iv = derive(Pkcs12KeyType::Iv, 8);
    let plain = match alg.oid {
        oid if oid == PBE_SHA1_3DES => {
            let key = derive(Pkcs12KeyType::EncryptionKey, 24);
            cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
                .map_err(|_| Pkcs12Error::Malformed("3DES key".into()))?
                .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
        }
        oid if oid == PBE_SHA1_2DES => {
            let key = derive(Pkcs12KeyType::EncryptionKey, 16);
            cbc::Decryptor::<des::TdesEde2>::new_from_slices(&key, &iv)
                .map_err(|_| Pkcs12Error::Malformed("2-key 3DES key".into()))?
                .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
        }
        oid if oid == PBE_SHA1_RC2_40 || oid == PBE_SHA1_RC2_128 => {
            let bits = if oid == PBE_SHA1_RC2_40 { 40 } else { 128 };
            let key = derive(Pkcs12KeyType::EncryptionKey, bits / 8);
            let cipher = rc2::Rc2::new_with_eff_key_len(&key, bits);
            cbc::Decryptor::<rc2::Rc2>::inner_iv_slice_init(cipher, &iv)
                .map_err(|_| Pkcs12Error::Malformed("RC2 IV".into()))?
                .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
        }
        oid => {
            return Err(Pkcs12Error::Unsupported(format!(
                "the encryption algorithm {oid}"
            )))
        }
    };
    plain
        .map(Zeroizing::new)
        .map_err(|_| Pkcs12Error::WrongPassword)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../intune-apple-sim/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    const PASSWORD: &str = "sim-test-password";

    #[test]
    fn every_export_flavour_opens_with_its_password() {
        for (file, password) in [
            ("client-aes.pfx", PASSWORD),
            ("client-3des.pfx", PASSWORD),
            ("client-rc2.pfx", PASSWORD),
            ("client-nopassword.pfx", ""),
            ("client-nomac.pfx", PASSWORD),
        ] {
            let contents = open(&fixture(file), password).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(contents.certificates.len(), 1, "{file}");
            assert_eq!(contents.keys.len(), 1, "{file}");
            use rsa::pkcs8::DecodePrivateKey as _;
            rsa::RsaPrivateKey::from_pkcs8_der(&contents.keys[0])
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            x509_cert::Certificate::from_der(&contents.certificates[0])
                .unwrap_or_else(|e| panic!("{file}: {e}"));
        }
    }

    #[test]
    fn a_wrong_password_says_so() {
        for file in [
            "client-aes.pfx",
            "client-3des.pfx",
            "client-rc2.pfx",
            "client-nomac.pfx",
        ] {
            let err = open(&fixture(file), "not the password").err();
            assert_eq!(err, Some(Pkcs12Error::WrongPassword), "{file}");
        }
        let err = open(&fixture("client-nopassword.pfx"), "x").err();
        assert_eq!(err, Some(Pkcs12Error::WrongPassword));
        let err = open(&fixture("client-aes.pfx"), "").err();
        assert_eq!(err, Some(Pkcs12Error::WrongPassword));
    }

    #[test]
    fn anything_else_is_malformed_not_a_panic() {
        let good = fixture("client-aes.pfx");
        assert!(matches!(
            open(b"", PASSWORD),
            Err(Pkcs12Error::Malformed(_))
        ));
        assert!(matches!(
            open(b"-----BEGIN CERTIFICATE-----", PASSWORD),
            Err(Pkcs12Error::Malformed(_))
        ));
        // Every truncation and every single-byte change fails cleanly.
        for cut in 0..good.len() {
            assert!(open(&good[..cut], PASSWORD).is_err(), "cut at {cut}");
        }
        for i in (0..good.len()).step_by(37) {
            let mut bad = good.clone();
            bad[i] ^= 0x5a;
            let _ = open(&bad, PASSWORD);
        }
    }

    /// DER `tag length content`.
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        if len < 0x80 {
            out.push(u8::try_from(len).unwrap_or(0));
        } else {
            let bytes: Vec<u8> = len
                .to_be_bytes()
                .into_iter()
                .skip_while(|b| *b == 0)
                .collect();
            out.push(0x80 | u8::try_from(bytes.len()).unwrap_or(0));
            out.extend(bytes);
        }
        out.extend_from_slice(content);
        out
    }

    fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
        tlv(0x30, &parts.concat())
    }

    fn data_info(octets: &[u8]) -> Vec<u8> {
        seq(&[
            ID_DATA.to_der().unwrap_or_default(),
            tlv(0xa0, &tlv(0x04, octets)),
        ])
    }

    /// A PFX without a MAC holding one shrouded key bag encrypted with `scheme` (the way a
    /// hostile file would be laid out).
    fn pfx_with_key_bag(scheme: pkcs5::pbes2::Parameters<'_>) -> Vec<u8> {
        let info = pkcs8::EncryptedPrivateKeyInfo {
            encryption_algorithm: scheme.into(),
            encrypted_data: &[0u8; 32],
        };
        let bag = seq(&[
            SHROUDED_KEY_BAG.to_der().unwrap_or_default(),
            tlv(0xa0, &info.to_der().unwrap_or_default()),
        ]);
        let safe_contents = seq(&[bag]);
        let auth_safe = seq(&[data_info(&safe_contents)]);
        seq(&[tlv(0x02, &[3]), data_info(&auth_safe)])
    }

    fn scrypt(log_n: u32, r: u16, p: u16) -> pkcs5::pbes2::Parameters<'static> {
        const SALT: &[u8] = &[7; 16];
        const IV: &[u8; 16] = &[9; 16];
        pkcs5::pbes2::Parameters {
            kdf: pkcs5::pbes2::Kdf::Scrypt(pkcs5::pbes2::ScryptParams {
                salt: SALT,
                cost_parameter: 1u64 << log_n,
                block_size: r,
                parallelization: p,
                key_length: Some(32),
            }),
            encryption: pkcs5::pbes2::EncryptionScheme::Aes256Cbc { iv: IV },
        }
    }

    fn pbkdf2(rounds: u32) -> pkcs5::pbes2::Parameters<'static> {
        const SALT: &[u8] = &[7; 16];
        const IV: &[u8; 16] = &[9; 16];
        pkcs5::pbes2::Parameters {
            kdf: pkcs5::pbes2::Kdf::Pbkdf2(pkcs5::pbes2::Pbkdf2Params {
                salt: SALT,
                iteration_count: rounds,
                key_length: None,
                prf: pkcs5::pbes2::Pbkdf2Prf::HmacWithSha256,
            }),
            encryption: pkcs5::pbes2::EncryptionScheme::Aes256Cbc { iv: IV },
        }
    }

    /// scrypt with N = 2^30 and r = 8 asks for 1 TiB: refused before anything is allocated.
    #[test]
    fn costly_scrypt_in_a_key_bag_is_refused_before_it_runs() {
        for params in [scrypt(30, 8, 1), scrypt(20, 8, 1), scrypt(14, 8, 1000)] {
            let file = pfx_with_key_bag(params);
            let e = open(&file, PASSWORD).err();
            assert!(matches!(e, Some(Pkcs12Error::TooCostly(_))), "{e:?}");
            let text = e.map(|e| e.to_string()).unwrap_or_default();
            assert!(text.contains("export the certificate again"), "{text}");
        }
        // Ordinary scrypt (N = 2^14, r = 8: 16 MiB) is attempted: the password then fails.
        let e = open(&pfx_with_key_bag(scrypt(14, 8, 1)), PASSWORD).err();
        assert_eq!(e, Some(Pkcs12Error::WrongPassword));
    }

    #[test]
    fn pbkdf2_rounds_are_capped_per_derivation_and_per_file() {
        let e = open(&pfx_with_key_bag(pbkdf2(4_000_000_000)), PASSWORD).err();
        assert!(matches!(e, Some(Pkcs12Error::TooCostly(_))), "{e:?}");
        let budget = Budget::new();
        let scheme: pkcs5::EncryptionScheme<'_> = pbkdf2(9_000_000).into();
        assert!(charge_scheme(&scheme, &budget).is_ok());
        assert!(charge_scheme(&scheme, &budget).is_ok());
        // The third derivation of 9 million rounds exceeds the 20 million of the file.
        assert!(matches!(
            charge_scheme(&scheme, &budget),
            Err(Pkcs12Error::TooCostly(_))
        ));
    }

    /// An encrypted PEM key with 4e9 PBKDF2 rounds (tens of minutes) or a huge scrypt cost is
    /// refused at once.
    #[test]
    fn costly_encrypted_pem_keys_are_refused_before_they_run() {
        use base64::Engine as _;
        for params in [pbkdf2(4_000_000_000), scrypt(30, 8, 1)] {
            let info = pkcs8::EncryptedPrivateKeyInfo {
                encryption_algorithm: params.into(),
                encrypted_data: &[0u8; 32],
            };
            let b64 =
                base64::engine::general_purpose::STANDARD.encode(info.to_der().unwrap_or_default());
            let pem = format!(
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\n{b64}\n-----END ENCRYPTED PRIVATE KEY-----\n"
            );
            let e = crate::graph::ClientCertificateCredential::from_pem_with_password(
                "t",
                "c",
                &pem,
                Some("pw"),
            )
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
            assert!(e.contains("refused before it ran"), "{e}");
        }
    }

    /// The certificate fuzz target's seeds (`tests/fixtures/fuzz-seeds/certificate`): files
    /// whose key derivation would cost a TiB, an hour or a thousand lanes, so that the fuzzer
    /// starts from the costly shapes. Each is refused before it runs; with
    /// `INTUNE_APPLE_UPDATE_FUZZ_SEEDS=1` they are written again.
    #[test]
    fn the_costly_fuzz_seeds_are_refused_before_they_run() {
        use base64::Engine as _;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/fuzz-seeds/certificate");
        let pem = |params: pkcs5::pbes2::Parameters<'_>| {
            let info = pkcs8::EncryptedPrivateKeyInfo {
                encryption_algorithm: params.into(),
                encrypted_data: &[0u8; 32],
            };
            let b64 =
                base64::engine::general_purpose::STANDARD.encode(info.to_der().unwrap_or_default());
            format!("-----BEGIN ENCRYPTED PRIVATE KEY-----\n{b64}\n-----END ENCRYPTED PRIVATE KEY-----\n")
                .into_bytes()
        };
        let seeds: Vec<(&str, Vec<u8>)> = vec![
            ("scrypt-1tib.pfx", pfx_with_key_bag(scrypt(30, 8, 1))),
            (
                "scrypt-1000-lanes.pfx",
                pfx_with_key_bag(scrypt(14, 8, 1000)),
            ),
            ("pbkdf2-4e9.pfx", pfx_with_key_bag(pbkdf2(4_000_000_000))),
            ("pbkdf2-4e9.pem", pem(pbkdf2(4_000_000_000))),
            ("scrypt-1tib.pem", pem(scrypt(30, 8, 1))),
        ];
        if std::env::var_os("INTUNE_APPLE_UPDATE_FUZZ_SEEDS").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            for (name, bytes) in &seeds {
                std::fs::write(dir.join(name), bytes).unwrap();
            }
        }
        for (name, bytes) in &seeds {
            let committed = std::fs::read(dir.join(name)).unwrap_or_else(|e| {
                panic!("{name}: {e} (INTUNE_APPLE_UPDATE_FUZZ_SEEDS=1 writes it)")
            });
            assert_eq!(
                &committed, bytes,
                "{name} drifted: INTUNE_APPLE_UPDATE_FUZZ_SEEDS=1"
            );
            let e = crate::graph::ClientCertificateCredential::from_contents(
                "t",
                "c",
                &committed,
                Some("pw"),
            )
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
            assert!(
                e.contains("refused before it ran") || e.contains("export the certificate again"),
                "{name}: {e}"
            );
        }
    }

    #[test]
    fn errors_never_hold_the_password() {
        let secret = "correct horse battery staple";
        for data in [fixture("client-aes.pfx"), b"junk".to_vec()] {
            if let Err(e) = open(&data, secret) {
                assert!(!e.to_string().contains(secret));
                assert!(!format!("{e:?}").contains(secret));
            }
        }
    }
}
