//! Bytes as their fields, coloured and named, as the Illustrated TLS connection shows a
//! record: a KMS ciphertext blob's version, key id, backing key version, nonce,
//! ciphertext and tag; and an S3 encryption-client envelope entry by entry. A flipped
//! byte is marked where it is.

use kmsplay_core::view::bytes::{fields, EnvelopeEntry, Field, FieldRole, Format};
use yew::{classes, html, Html};

use crate::describe::bytes;

/// Bytes shown in full up to this many; longer fields show their start and end.
const SHOWN: usize = 48;

fn role_class(role: FieldRole) -> &'static str {
    match role {
        FieldRole::Version => "f-version",
        FieldRole::KeyId => "f-key-id",
        FieldRole::BackingVersion => "f-backing",
        FieldRole::Nonce => "f-nonce",
        FieldRole::Ciphertext => "f-ciphertext",
        FieldRole::Tag => "f-tag",
    }
}

/// Hex of one field, in byte pairs; a flipped byte (`flipped`, an offset in the whole) is
/// marked.
fn field_hex(f: &Field, flipped: Option<usize>) -> Html {
    let bytes: Vec<&str> = (0..f.hex.len() / 2)
        .filter_map(|i| f.hex.get(2 * i..2 * i + 2))
        .collect();
    let n = bytes.len();
    let shown: Vec<(usize, &str)> = if n <= SHOWN {
        bytes.iter().copied().enumerate().collect()
    } else {
        bytes
            .iter()
            .copied()
            .enumerate()
            .filter(|(i, _)| *i < SHOWN - 8 || *i >= n - 8)
            .collect()
    };
    let mut out = Vec::new();
    let mut previous: Option<usize> = None;
    for (i, b) in shown {
        if previous.is_some_and(|p| i > p + 1) {
            out.push(html! { <span class="elided">{ format!(" … {} more … ", bytes_count(i - previous.unwrap_or(i) - 1)) }</span> });
        }
        let is_flipped = flipped == Some(f.offset + i);
        out.push(html! {
            <span class={classes!("byte", is_flipped.then_some("flipped"))}
                  title={is_flipped.then(|| format!("byte {}: one bit flipped", f.offset + i))}>{ b.to_owned() }</span>
        });
        previous = Some(i);
    }
    html! { <>{ for out }</> }
}

fn bytes_count(n: usize) -> String {
    bytes(n)
}

/// A ciphertext's fields, in `format`.
pub fn fields_view(format: Format, hex: &str, flipped: Option<usize>) -> Html {
    let Ok(raw) = decode(hex) else {
        return Html::default();
    };
    fields_list(&fields(format, &raw), flipped)
}

fn decode(hex: &str) -> Result<Vec<u8>, ()> {
    (0..hex.len() / 2)
        .map(|i| {
            hex.get(2 * i..2 * i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
                .ok_or(())
        })
        .collect()
}

fn fields_list(list: &[Field], flipped: Option<usize>) -> Html {
    html! {
        <ol class="fields" data-testid="fields">
            { for list.iter().map(|f| html! {
                <li class={classes!("field", role_class(f.role))} data-field={f.name}>
                    <p class="field-head">
                        <span class="field-name">{ f.name }</span>
                        <span class="field-size">{ format!("{} · offset {}", bytes(f.hex.len() / 2), f.offset) }</span>
                    </p>
                    <p class="field-hex">{ field_hex(f, flipped) }</p>
                    if let Some(v) = &f.value {
                        <p class="field-value"><code>{ v.clone() }</code></p>
                    }
                    <p class="field-note">{ f.note }</p>
                </li>
            }) }
        </ol>
    }
}

/// An S3 encryption-client envelope, entry by entry.
pub fn envelope_view(entries: &[EnvelopeEntry]) -> Html {
    html! {
        <section class="envelope" data-testid="envelope">
            <h4>{ "S3 encryption-client envelope (object metadata)" }</h4>
            <dl class="envelope-list">
                { for entries.iter().map(|e| html! {
                    <div class="envelope-entry" data-entry={e.name.clone()}>
                        <dt><code>{ e.name.clone() }</code></dt>
                        <dd>
                            <p class="field-note">{ e.note }</p>
                            if e.fields.is_empty() && e.context.is_empty() {
                                <p><code class="envelope-value">{ e.value.clone() }</code></p>
                            }
                            if !e.context.is_empty() {
                                <table class="table compact">
                                    <thead><tr><th scope="col">{ "Context key" }</th><th scope="col">{ "Value" }</th></tr></thead>
                                    <tbody>
                                        { for e.context.iter().map(|(k, v)| html! {
                                            <tr><td><code>{ k.clone() }</code></td><td><code>{ v.clone() }</code></td></tr>
                                        }) }
                                    </tbody>
                                </table>
                            }
                            if !e.fields.is_empty() {
                                { fields_list(&e.fields, None) }
                            }
                        </dd>
                    </div>
                }) }
            </dl>
        </section>
    }
}
