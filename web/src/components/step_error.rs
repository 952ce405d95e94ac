//! The one place a failure is explained in full: the AWS error name, who called, one line
//! of why, and what had to hold against what it was. Elsewhere the page says it in one
//! line ([`kmsplay_core::view::failure::Explanation::summary`]).

use kmsplay_core::view::failure::Explanation;
use yew::{classes, component, html, Callback, Html, Properties};

/// The error's properties.
#[derive(Properties, PartialEq)]
pub struct StepErrorProps {
    /// The explanation.
    pub explanation: Explanation,
    /// The AWS error message, whole.
    pub message: String,
    /// Goes to a step (the cause).
    pub on_go: Callback<usize>,
}

/// The error block.
#[component]
pub fn StepError(props: &StepErrorProps) -> Html {
    let e = &props.explanation;
    let cause = e.cause.map(|c| {
        let on_go = props.on_go.clone();
        html! {
            <button type="button" class="link" onclick={Callback::from(move |_| on_go.emit(c))}>
                { format!("See step {}", c + 1) }
            </button>
        }
    });
    html! {
        <div class="error-box step-error" role="note" data-testid="step-error">
            <p class="error-name"><code>{ e.error.clone() }</code></p>
            <dl class="facts">
                <dt>{ "Called by" }</dt><dd>{ e.caller.clone() }</dd>
                if let Some(call) = &e.call {
                    <dt>{ "Call" }</dt><dd><code>{ call.clone() }</code></dd>
                }
            </dl>
            <p class="why" data-testid="error-why"><strong>{ "Why: " }</strong>{ e.why.clone() }{ " " }{ cause.unwrap_or_default() }</p>
            if !e.checks.is_empty() {
                    <table class="table checks" data-testid="error-checks">
                        <caption class="sr-only">{ "What had to hold, expected against actual" }</caption>
                        { for e.checks.iter().map(|c| html! {
                            <tbody class={classes!("check", if c.holds { "holds" } else { "fails" })}>
                                <tr>
                                    <th scope="rowgroup" colspan="2" class="check-name">
                                        <span class={classes!("mark", if c.holds { "ok" } else { "bad" })}>
                                            <span aria-hidden="true">{ if c.holds { "✓ " } else { "✗ " } }</span>
                                            <span class="sr-only">{ if c.holds { "holds: " } else { "fails: " } }</span>
                                        </span>
                                        { c.what.clone() }
                                    </th>
                                </tr>
                                <tr>
                                    <th scope="row" class="check-key">{ "expected" }</th>
                                    <td><code>{ c.expected.clone() }</code></td>
                                </tr>
                                <tr>
                                    <th scope="row" class="check-key">{ "actual" }</th>
                                    <td class="actual"><code>{ c.actual.clone() }</code></td>
                                </tr>
                            </tbody>
                        }) }
                    </table>
            }
            <details class="error-message">
                <summary>{ "The error message AWS returns" }</summary>
                if props.message.is_empty() {
                    <p class="muted">{ "None: AWS sends this error with no message." }</p>
                } else {
                    <p>{ props.message.clone() }</p>
                }
            </details>
        </div>
    }
}
