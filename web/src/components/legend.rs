//! What the diagram's colours, shapes and arrows mean.

use kmsplay_core::trace::ArtifactKind;
use yew::{classes, component, html, Html};

use crate::components::glyph::glyph;
use crate::describe::kind_class;

const SHAPES: &[(ArtifactKind, &str, bool)] = &[
    (ArtifactKind::KmsKey, "KMS key (its grants on it)", false),
    (ArtifactKind::MailboxKey, "Plaintext key", false),
    (
        ArtifactKind::MessageKey,
        "Plaintext key, only for a moment",
        true,
    ),
    (ArtifactKind::WrappedKey, "Encrypted key", false),
    (ArtifactKind::Message, "Message", false),
    (ArtifactKind::EncryptedMessage, "Encrypted message", false),
    (ArtifactKind::PublicKey, "Public key", false),
];

const REGIONS: &[(&str, &str)] = &[
    ("kms", "AWS KMS"),
    ("memory", "Service memory"),
    ("cache", "Key cache"),
    ("caller", "Owner's code"),
    ("store", "Mailbox store (disk)"),
    ("s3", "S3 bucket"),
];

/// The diagram's legend.
#[component]
pub fn Legend() -> Html {
    html! {
        <div class="legend">
            <ul class="legend-list" aria-label="Shapes">
                { for SHAPES.iter().map(|(kind, label, transient)| html! {
                    <li>
                        <svg class={classes!("legend-glyph", kind_class(*kind), transient.then_some("transient"))}
                             viewBox="6 9 36 32" width="36" height="32" aria-hidden="true">
                            { glyph(*kind) }
                        </svg>
                        { *label }
                    </li>
                }) }
            </ul>
            <ul class="legend-list" aria-label="Arrows and boundaries">
                <li>
                    <svg class="legend-arrow changed" viewBox="0 0 40 12" width="34" height="12" aria-hidden="true">
                        <path d="M2 6 H31" marker-end="url(#arrow-changed)" />
                    </svg>
                    { "this step: encrypted under" }
                </li>
                <li>
                    <svg class="legend-arrow standing" viewBox="0 0 40 12" width="34" height="12" aria-hidden="true">
                        <path d="M2 6 H31" marker-end="url(#arrow)" />
                    </svg>
                    { "encrypted under, earlier" }
                </li>
                <li>
                    <svg class="legend-arrow unwraps" viewBox="0 0 40 12" width="34" height="12" aria-hidden="true">
                        <path d="M2 6 H31" marker-end="url(#arrow)" />
                    </svg>
                    { "decrypted with" }
                </li>
                <li>
                    <svg class="legend-arrow failed" viewBox="0 0 40 12" width="34" height="12" aria-hidden="true">
                        <path d="M2 6 H31" marker-end="url(#arrow-failed)" />
                    </svg>
                    { "refused or failed (AWS error)" }
                </li>
                { for REGIONS.iter().map(|(class, label)| html! {
                    <li><span class={classes!("swatch", *class)} aria-hidden="true"></span>{ *label }</li>
                }) }
            </ul>
        </div>
    }
}
