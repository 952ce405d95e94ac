//! A step's KMS call as code: the AWS CLI, boto3 and the AWS SDK for JavaScript v3, one
//! at a time, each copyable. The code is written by `kmsplay_core::view::code`, the same
//! that `kmsplay code` prints; the page only picks the language and copies.

use std::rc::Rc;

use kmsplay_core::view::code::Language;
use yew::{component, html, use_state_eq, Callback, Html, Properties};

use crate::clipboard::write_clipboard;

/// The code view's properties.
#[derive(Properties, PartialEq)]
pub struct CodeViewProps {
    /// The call in each language.
    pub snippets: Rc<Vec<(Language, String)>>,
}

fn slug(language: Language) -> &'static str {
    match language {
        Language::Cli => "cli",
        Language::Python => "python",
        Language::JavaScript => "javascript",
    }
}

/// The language buttons, the code and a Copy button.
#[component]
pub fn CodeView(props: &CodeViewProps) -> Html {
    let language = use_state_eq(|| Language::Cli);
    let copied = use_state_eq(|| None::<bool>);
    let code = props
        .snippets
        .iter()
        .find(|(l, _)| *l == *language)
        .or_else(|| props.snippets.first())
        .map(|(_, c)| c.clone())
        .unwrap_or_default();
    let buttons = props.snippets.iter().map(|(l, _)| {
        let l = *l;
        let onclick = {
            let language = language.clone();
            let copied = copied.clone();
            Callback::from(move |_| {
                language.set(l);
                copied.set(None);
            })
        };
        html! {
            <button type="button" class="code-lang" aria-pressed={(l == *language).to_string()}
                    data-testid={format!("code-{}", slug(l))} {onclick}>{ l.label() }</button>
        }
    });
    let copy = {
        let copied = copied.clone();
        let code = code.clone();
        Callback::from(move |_| {
            let copied = copied.clone();
            let code = code.clone();
            yew::platform::spawn_local(async move {
                copied.set(Some(write_clipboard(&code).await));
            });
        })
    };
    html! {
        <div class="code-view" data-testid="code-view">
            <div class="code-bar" role="group" aria-label="Language">
                { for buttons }
                <button type="button" class="code-copy" onclick={copy}>{ "Copy" }</button>
            </div>
            <pre class="json code" data-testid="code" data-language={slug(*language)} tabindex="0"
                 aria-label={format!("The request as {}", language.label())}>{ code }</pre>
            {
                match *copied {
                    Some(true) => html! { <p class="muted code-note">{ "Copied to the clipboard." }</p> },
                    Some(false) => html! { <p class="muted code-note">{ "There is no clipboard here: select the code and copy it with Ctrl+C (⌘C)." }</p> },
                    None => html! {
                        <p class="muted code-note">
                            { "Runs as shown against " }<code>{ "kmsplay serve" }</code>
                            { " over this scenario's principals (" }<code>{ "kmsplay code" }</code>
                            { " prints every call); for AWS itself, drop the endpoint and credentials lines." }
                        </p>
                    },
                }
            }
        </div>
    }
}
