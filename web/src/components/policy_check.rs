//! "Check my key policy": paste a key policy, see which AWS services and principals it
//! lets use the key, and why — a verdict card per flow with the statement and condition
//! that decided it (expected against actual), a fix for each refusal that one click
//! applies, Access Analyzer-style findings, and "Open as scenario" for the full flow.

use kmsplay_core::check::{Refusal, Severity, Verdict, Warning};
use yew::{component, html, Callback, Html, InputEvent, Properties, TargetCast};

use crate::components::policy_presets::PolicyPresets;
use crate::components::text_area_input;

use crate::state::{NameField, PolicyCheck};

/// The checker's properties.
#[derive(Properties, PartialEq)]
pub struct PolicyCheckProps {
    /// The policy, the names and the report.
    pub check: PolicyCheck,
    /// The policy text changed (typed, or a preset picked).
    pub on_input: Callback<String>,
    /// A name changed.
    pub on_name: Callback<(NameField, String)>,
    /// Read the names from the policy again.
    pub on_names_from_policy: Callback<()>,
    /// Apply the fix of a verdict.
    pub on_apply: Callback<usize>,
    /// Open a verdict's flow in the diagram.
    pub on_open: Callback<usize>,
    /// Back to the diagram.
    pub on_close: Callback<()>,
}

/// The checker.
#[component]
pub fn PolicyCheckView(props: &PolicyCheckProps) -> Html {
    let c = &props.check;
    let oninput = text_area_input(&props.on_input);
    let on_close = props.on_close.reform(|_: yew::MouseEvent| ());
    let on_reset_names = props.on_names_from_policy.reform(|_: yew::MouseEvent| ());
    let names = NameField::ALL.iter().map(|&field| {
        let on_name = props.on_name.clone();
        let oninput = Callback::from(move |e: InputEvent| {
            on_name.emit((
                field,
                e.target_unchecked_into::<web_sys::HtmlInputElement>()
                    .value(),
            ));
        });
        let id = format!("check-name-{}", field.slug());
        html! {
            <label class="check-name" for={id.clone()}>
                <span>{ field.label() }</span>
                <input id={id.clone()} data-testid={id} type="text" spellcheck="false"
                       autocomplete="off" autocapitalize="off"
                       value={field.get(&c.names).to_owned()} {oninput} />
            </label>
        }
    });
    let status = match &c.result {
        Err(e) if !e.message.is_empty() => html! {
            <div class="error-box" data-testid="check-error" role="alert">
                <p>
                    <strong>{ "Not checked: " }</strong>
                    if !e.path.is_empty() { <code>{ e.path.clone() }</code>{ ": " } }
                    { e.message.clone() }
                </p>
            </div>
        },
        _ if c.stale() => html! { <p class="muted">{ "Checking…" }</p> },
        Ok(r) => {
            let refused = r.verdicts.iter().filter(|v| !v.allowed).count();
            html! {
                <p class="muted" data-testid="check-status">
                    { format!("{} flows checked: {} allowed, {refused} refused; {} finding{}.", r.verdicts.len(), r.verdicts.len() - refused, r.warnings.len(), if r.warnings.len() == 1 { "" } else { "s" }) }
                </p>
            }
        }
        Err(_) => Html::default(),
    };
    let results = match &c.result {
        Ok(report) => {
            let verdicts =
                report.verdicts.iter().enumerate().map(|(i, v)| {
                    verdict_card(i, v, props.on_apply.clone(), props.on_open.clone())
                });
            html! {
                <>
                    if let Some(applied) = &c.applied {
                        <p class="check-applied" role="status" data-testid="check-applied">
                            { format!("Fix applied, and every flow checked again: {applied}") }
                        </p>
                    }
                    <h3 class="check-subhead">{ "Who may use the key" }</h3>
                    <ul class="verdicts">{ for verdicts }</ul>
                    <h3 class="check-subhead">{ format!("Findings ({})", report.warnings.len()) }</h3>
                    if report.warnings.is_empty() {
                        <p class="muted">{ "None: no finding of the policy checks applies." }</p>
                    } else {
                        <ul class="findings">{ for report.warnings.iter().map(finding) }</ul>
                    }
                </>
            }
        }
        Err(_) => Html::default(),
    };
    html! {
        <section class="check" data-testid="policy-check" aria-labelledby="check-heading">
            <div class="check-head">
                <div>
                    <h2 id="check-heading">{ "Check my key policy" }</h2>
                    <p class="muted">
                        { "Paste a key policy as IAM and the console write it. Every flow below runs in this page against a key with that policy; the policy never leaves the page." }
                    </p>
                </div>
                <button type="button" class="secondary" onclick={on_close} data-testid="close-check">
                    { "Back to the diagram" }
                </button>
            </div>
            <div class="check-body">
                <div class="check-input">
                    <label class="check-preset">
                        { "Start from " }
                        <PolicyPresets region={c.names.region.clone()} account={c.names.account.clone()}
                                       text={c.text.clone()} none="the policy below"
                                       testid="check-preset" on_pick={props.on_input.clone()} />
                    </label>
                    <label class="sr-only" for="check-policy">{ "Key policy JSON" }</label>
                    <textarea id="check-policy" class="code" data-testid="check-policy" rows="18"
                              spellcheck="false" autocomplete="off" autocapitalize="off" wrap="off"
                              value={c.text.clone()} aria-describedby="check-status" {oninput} />
                    <div id="check-status" class="editor-status" aria-live="polite">{ status }</div>
                    <fieldset class="check-names">
                        <legend>{ "Names the flows use" }</legend>
                        <p class="muted">
                            { if c.names_edited { "Edited: the flows use these names." } else { "Read from the policy where it names them; edit any." } }
                        </p>
                        <div class="check-name-grid">{ for names }</div>
                        if c.names_edited {
                            <button type="button" class="secondary" onclick={on_reset_names}
                                    data-testid="check-names-from-policy">
                                { "Read them from the policy again" }
                            </button>
                        }
                    </fieldset>
                </div>
                <div class="check-results">{ results }</div>
            </div>
        </section>
    }
}

fn verdict_card(
    i: usize,
    v: &Verdict,
    on_apply: Callback<usize>,
    on_open: Callback<usize>,
) -> Html {
    let slug = v.slug.clone();
    let apply = on_apply.reform(move |_: yew::MouseEvent| i);
    let open = on_open.reform(move |_: yew::MouseEvent| i);
    let (mark, class, word) = if v.allowed {
        ("✓", "verdict allowed", "Allowed")
    } else {
        ("✗", "verdict refused", "Refused")
    };
    html! {
        <li class={class} data-testid={format!("verdict-{slug}")} data-allowed={v.allowed.to_string()}>
            <h4><span class="verdict-mark" aria-hidden="true">{ mark }</span>
                <span class="sr-only">{ format!("{word}: ") }</span>{ v.title.clone() }</h4>
            <p class="verdict-summary">{ v.summary.clone() }</p>
            if let Some(r) = &v.refusal { { refusal(r) } }
            if let Some(fix) = &v.fix {
                <div class="fix" data-testid={format!("fix-{slug}")}>
                    <p><strong>{ "Fix: " }</strong></p>
                    <ul>{ for fix.changes.iter().map(|c| html! { <li>{ c.clone() }</li> }) }</ul>
                    <button type="button" class="primary" onclick={apply} data-testid={format!("apply-fix-{slug}")}>
                        { "Apply the fix" }
                    </button>
                </div>
            } else if !v.allowed {
                <p class="muted">{ "No automatic fix: an explicit Deny decides, or the failure is not the key policy's. Edit the policy by hand." }</p>
            }
            <details class="verdict-calls">
                <summary>{ format!("The flow's KMS calls ({})", v.calls.len()) }</summary>
                <ul>
                    { for v.calls.iter().map(|c| html! {
                        <li class={if c.allowed { "ok" } else { "bad" }}>
                            <code>{ c.action.clone() }</code>{ " by " }<code>{ c.caller.clone() }</code>
                            { if c.allowed { " — allowed: " } else { " — refused: " } }{ c.reason.clone() }
                        </li>
                    }) }
                </ul>
            </details>
            <button type="button" class="secondary" onclick={open} data-testid={format!("open-{slug}")}>
                { "Open as scenario" }
            </button>
        </li>
    }
}

fn refusal(r: &Refusal) -> Html {
    let conditions: Vec<Html> = r
        .statement
        .iter()
        .flat_map(|s| s.conditions.iter())
        .map(|c| {
            html! {
                <tr class={if c.matched { "holds" } else { "fails" }}>
                    <td><code>{ format!("{} {}", c.operator, c.key) }</code></td>
                    <td><code>{ c.expected.join(", ") }</code></td>
                    <td><code>{ c.actual.as_ref().map_or_else(|| "(absent)".to_owned(), |a| a.join(", ")) }</code></td>
                    <td>{ if c.matched { "holds" } else { "fails" } }</td>
                </tr>
            }
        })
        .collect();
    html! {
        <div class="refusal">
            <p><code class="error-name">{ r.error.clone() }</code>{ " " }{ r.message.clone() }</p>
            <p>{ r.why.clone() }</p>
            if let Some(s) = &r.statement {
                <p class="muted">{ format!("Decided by {}.", s.label()) }</p>
            }
            if !conditions.is_empty() {
                <table class="checks">
                    <thead><tr><th>{ "Condition" }</th><th>{ "Expected" }</th><th>{ "Actual" }</th><th>{ "" }</th></tr></thead>
                    <tbody>{ for conditions }</tbody>
                </table>
            }
        </div>
    }
}

fn finding(w: &Warning) -> Html {
    let (class, word) = match w.severity {
        Severity::Security => ("finding security", "Security"),
        Severity::Warning => ("finding warning", "Warning"),
        Severity::Suggestion => ("finding suggestion", "Suggestion"),
    };
    html! {
        <li class={class} data-testid={format!("warning-{}", w.code)}>
            <p><span class="badge">{ word }</span>{ " " }<strong>{ w.title.clone() }</strong></p>
            <p>{ w.detail.clone() }</p>
            <p><a href={w.doc} target="_blank" rel="noopener noreferrer">{ "AWS documentation" }<span class="sr-only">{ " (opens in a new tab)" }</span></a></p>
        </li>
    }
}
