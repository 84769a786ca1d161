//! Splitting PEM text into its `-----BEGIN X----- … -----END X-----` blocks. Decoding is left to
//! the caller: the file checks never decode a private key, the client certificate credential
//! must.

/// A PEM block whose `END` line is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UnterminatedBlock;

/// Each block of `text` in order, as (label, whole block text from `-----BEGIN` to the end of its
/// `-----END …-----` line). Text outside blocks is skipped. A block without its end line yields
/// `Err` and ends the iteration.
pub(crate) fn blocks(text: &str) -> impl Iterator<Item = Result<(&str, &str), UnterminatedBlock>> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        let start = current.find("-----BEGIN ")?;
        let after = &current[start..];
        let parsed = after[11..].find("-----").and_then(|label_len| {
            let label = &after[11..11 + label_len];
            let end_marker = format!("-----END {label}-----");
            after
                .find(&end_marker)
                .map(|end| (label, &after[..end + end_marker.len()]))
        });
        match parsed {
            Some((label, block)) => {
                rest = Some(&after[block.len()..]);
                Some(Ok((label, block)))
            }
            None => {
                rest = None;
                Some(Err(UnterminatedBlock))
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_a_bundle_and_stops_at_a_broken_block() {
        let text = "junk\n-----BEGIN A-----\nAAEC\n-----END A-----\nmid\n-----BEGIN B KEY-----\nAwQ=\n-----END B KEY-----\n-----BEGIN C-----\nno end";
        let all: Vec<_> = blocks(text).collect();
        assert_eq!(all.len(), 3);
        assert_eq!(
            all[0],
            Ok(("A", "-----BEGIN A-----\nAAEC\n-----END A-----"))
        );
        assert_eq!(all[1].map(|(l, _)| l), Ok("B KEY"));
        assert_eq!(all[2], Err(UnterminatedBlock));
        assert_eq!(blocks("no pem here").count(), 0);
    }
}
