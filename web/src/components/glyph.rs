//! The shape of each kind of key or data, drawn in a 48 × 50 box: hexagon for a KMS key,
//! circle for a plaintext key (with its initials), padlock for an encrypted key,
//! envelope for a message. Shared by the diagram and its legend.

use kmsplay_core::trace::ArtifactKind;
use yew::{html, Html};

use crate::describe::key_letters;

/// The glyph of `kind`.
pub fn glyph(kind: ArtifactKind) -> Html {
    let shape = match kind {
        ArtifactKind::KmsKey => html! {
            <>
                <polygon class="shape" points="38,25 31,37.1 17,37.1 10,25 17,12.9 31,12.9" />
                <circle class="mark" cx="19.5" cy="25" r="3.8" />
                <path class="mark-line" d="M23.3 25 H31.5 M28.8 25 V28.8" />
            </>
        },
        ArtifactKind::MailboxKey
        | ArtifactKind::MessageKey
        | ArtifactKind::DataKey
        | ArtifactKind::PrivateKey
        | ArtifactKind::PublicKey => html! {
            <>
                <circle class="shape" cx="24" cy="25" r="15" />
                <text class="letters" x="24" y="29.2" text-anchor="middle">{ key_letters(kind) }</text>
            </>
        },
        ArtifactKind::WrappedKey | ArtifactKind::Ciphertext => html! {
            <>
                <path class="shackle" d="M18 22 V18.5 a6 6 0 0 1 12 0 V22" />
                <rect class="shape" x="12.5" y="21.5" width="23" height="16" rx="2.5" />
                <circle class="mark" cx="24" cy="28" r="2" />
                <path class="mark-line" d="M24 29 V32.5" />
            </>
        },
        ArtifactKind::Message | ArtifactKind::Plaintext => html! {
            <>
                <rect class="shape" x="10.5" y="15.5" width="27" height="19" rx="2.5" />
                <path class="mark-line" d="M11 17 L24 26.5 L37 17" />
            </>
        },
        ArtifactKind::EncryptedMessage => html! {
            <>
                <rect class="shape" x="8.5" y="13.5" width="27" height="19" rx="2.5" />
                <path class="mark-line" d="M9 15 L22 24.5 L35 15" />
                <path class="shackle small" d="M31 31 V28.5 a3.5 3.5 0 0 1 7 0 V31" />
                <rect class="lock" x="28.5" y="30.5" width="12" height="9" rx="1.5" />
            </>
        },
    };
    html! { <g class="glyph" aria-hidden="true">{ shape }</g> }
}
