//! An authorization decision with all its reasons: every key policy and IAM policy
//! statement, every grant, every condition with its expected and actual values.

use kmsplay_core::authz::{
    PolicyEvaluation, PolicyTypeResult, PrincipalMatch, StatementResult, Verdict,
};
use kmsplay_core::kms::{Decision, GrantResult, Outcome};
use yew::{classes, component, html, use_state_eq, Callback, Event, Html, Properties, TargetCast};

use crate::components::json_view::JsonView;

/// The decision view's properties.
#[derive(Properties, PartialEq)]
pub struct DecisionViewProps {
    /// The decision.
    pub decision: Decision,
    /// Its position among the step's decisions (for headings), 1-based.
    pub number: usize,
    /// How many decisions the step has.
    pub of: usize,
}

/// One decision.
#[component]
pub fn DecisionView(props: &DecisionViewProps) -> Html {
    let d = &props.decision;
    let (outcome, class) = match d.outcome {
        Outcome::Allowed => ("Allowed", "ok"),
        Outcome::ExplicitDeny => ("Denied explicitly", "bad"),
        Outcome::ImplicitDeny => ("Denied: nothing allows it", "bad"),
    };
    let raw_open = use_state_eq(|| false);
    let on_toggle = {
        let raw_open = raw_open.clone();
        Callback::from(move |e: Event| {
            raw_open.set(
                e.target_unchecked_into::<web_sys::HtmlDetailsElement>()
                    .open(),
            );
        })
    };
    let raw = || serde_json::to_value(d).unwrap_or_default();
    html! {
        <article class="decision" data-testid="decision">
            <h3>
                if props.of > 1 { { format!("Decision {} of {}: ", props.number, props.of) } }
                <span class={classes!("badge", class)}>{ outcome }</span>
                { " " }<code>{ d.action.clone() }</code>
            </h3>
            <p class={classes!("reason", class)} data-testid="decision-reason">{ d.reason.clone() }</p>
            <dl class="facts">
                <dt>{ "Principal" }</dt><dd><code>{ d.principal.clone() }</code></dd>
                <dt>{ "Resource" }</dt><dd><code>{ d.resource.clone() }</code></dd>
                if let Some(account) = &d.missing_in_account {
                    <dt>{ "Missing" }</dt>
                    <dd data-testid="missing-account">{ format!("a policy of account {account}") }</dd>
                }
            </dl>
            if !d.policy_types.is_empty() {
                { policy_types_table(&d.policy_types, props.number) }
            }
            if !d.context.is_empty() {
                <details class="context">
                    <summary>{ format!("Request context ({} keys)", d.context.len()) }</summary>
                    <table class="table compact">
                        <thead><tr><th scope="col">{ "Condition key" }</th><th scope="col">{ "Value" }</th></tr></thead>
                        <tbody>
                            { for d.context.iter().map(|(k, v)| html! {
                                <tr><td><code>{ k.clone() }</code></td><td><code>{ v.join(", ") }</code></td></tr>
                            }) }
                        </tbody>
                    </table>
                </details>
            }
            if let Some(policy) = &d.key_policy {
                { policy_table("Key policy", policy, props.number) }
            }
            { for d.service_control_policies.iter().map(|p| policy_table(&p.name, &p.evaluation, props.number)) }
            { for d.identity_policies.iter().map(|p| policy_table(&p.name, &p.evaluation, props.number)) }
            if let Some(boundary) = &d.permissions_boundary {
                { policy_table("Permissions boundary", boundary, props.number) }
            }
            { for d.session_policies.iter().map(|p| policy_table(&p.name, &p.evaluation, props.number)) }
            if !d.grants.is_empty() {
                { grants_table(&d.grants, props.number) }
            }
            <details class="raw" ontoggle={on_toggle}>
                <summary>{ "Raw decision (JSON)" }</summary>
                // Drawn only once opened: a decision over a huge policy is a lot of JSON.
                if *raw_open {
                    <JsonView value={raw()} label="The decision as JSON" />
                }
            </details>
        </article>
    }
}

/// Which policy types took part, in AWS's order, what each said and which decided.
fn policy_types_table(types: &[PolicyTypeResult], decision: usize) -> Html {
    html! {
        <section class="policy">
            <h4>{ "Policy types" }</h4>
            <div class="table-scroll" tabindex="0" role="region" aria-label={format!("Policy types of decision {decision}")}>
                <table class="table policy-types" data-testid="policy-types">
                    <caption class="sr-only">{ "The policy types that took part, in the order AWS evaluates them" }</caption>
                    <thead>
                        <tr>
                            <th scope="col">{ "Policy type" }</th>
                            <th scope="col">{ "Account" }</th>
                            <th scope="col">{ "Said" }</th>
                            <th scope="col">{ "Decided" }</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for types.iter().map(|t| {
                            let said = match t.verdict {
                                Verdict::Allow => "allow",
                                Verdict::Deny => "deny",
                                Verdict::NoAllow => "no allow",
                            };
                            html! {
                                <tr class={classes!(t.decided.then_some("applies"))}>
                                    <th scope="row">
                                        <span class="sid">{ t.policy_type.name() }</span>
                                        <span class="summary">{ t.summary.clone() }</span>
                                    </th>
                                    <td><code>{ t.account.clone() }</code></td>
                                    <td>{ mark(t.verdict == Verdict::Allow) }{ " " }{ said }</td>
                                    <td>{ mark(t.decided) }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        </section>
    }
}

fn mark(ok: bool) -> Html {
    let (symbol, label, class) = if ok {
        ("✓", "yes", "ok")
    } else {
        ("✗", "no", "bad")
    };
    html! {
        <span class={classes!("mark", class)}>
            <span aria-hidden="true">{ symbol }</span><span class="sr-only">{ label }</span>
        </span>
    }
}

fn principal_cell(p: &PrincipalMatch) -> Html {
    match p {
        PrincipalMatch::NoMatch => html! { <>{ mark(false) }{ " not the caller" }</> },
        PrincipalMatch::Matches => html! { <>{ mark(true) }{ " the caller" }</> },
        PrincipalMatch::Account { account } => html! {
            <>{ mark(true) }{ format!(" account {account} (needs IAM too)") }</>
        },
    }
}

/// The most statement rows a policy table draws: a policy of thousands of statements
/// (hostile input) must not stall the page. The statements that apply always show.
const MAX_ROWS: usize = 200;

fn policy_table(title: &str, policy: &PolicyEvaluation, decision: usize) -> Html {
    let total = policy.statements.len();
    let shown: Vec<&StatementResult> = if total <= MAX_ROWS {
        policy.statements.iter().collect()
    } else {
        let applying = policy.statements.iter().filter(|s| s.applies);
        let others = policy.statements.iter().filter(|s| !s.applies);
        applying.chain(others).take(MAX_ROWS).collect()
    };
    let hidden = total - shown.len();
    html! {
        <section class="policy">
            <h4>{ title.to_owned() }</h4>
            <div class="table-scroll" tabindex="0" role="region" aria-label={format!("{title} of decision {decision}, statement by statement")}>
                <table class="table statements">
                    <caption class="sr-only">{ format!("{title}, statement by statement") }</caption>
                    <thead>
                        <tr>
                            <th scope="col">{ "Statement" }</th>
                            <th scope="col">{ "Effect" }</th>
                            <th scope="col">{ "Principal" }</th>
                            <th scope="col">{ "Action" }</th>
                            <th scope="col">{ "Resource" }</th>
                            <th scope="col">{ "Conditions" }</th>
                            <th scope="col">{ "Applies" }</th>
                        </tr>
                    </thead>
                    <tbody>{ for shown.into_iter().map(statement_row) }</tbody>
                </table>
            </div>
            if hidden > 0 {
                <p class="muted">
                    { format!("{hidden} more statements of {total} are not shown (none of them applies); the raw decision below has them all.") }
                </p>
            }
        </section>
    }
}

fn statement_row(s: &StatementResult) -> Html {
    let name = s.sid.clone().unwrap_or_else(|| format!("#{}", s.index + 1));
    html! {
        <tr class={classes!(s.applies.then_some("applies"))}>
            <th scope="row">
                <span class="sid">{ name }</span>
                <span class="summary">{ s.summary.clone() }</span>
            </th>
            <td>{ format!("{:?}", s.effect) }</td>
            <td>{ principal_cell(&s.principal) }</td>
            <td>{ mark(s.action_matched) }</td>
            <td>{ mark(s.resource_matched) }</td>
            <td>
                if s.conditions.is_empty() {
                    <span class="muted">{ "none" }</span>
                } else {
                    <ul class="conditions">
                        { for s.conditions.iter().map(|c| html! {
                            <li>
                                { mark(c.matched) }{ " " }
                                <code>{ format!("{} {}", c.operator, c.key) }</code>
                                <span class="cond-values">
                                    { "expected " }<code>{ c.expected.join(" | ") }</code>
                                    { ", actual " }
                                    <code>{ c.actual.as_ref().map(|a| a.join(", ")).unwrap_or_else(|| "(absent)".to_owned()) }</code>
                                </span>
                            </li>
                        }) }
                    </ul>
                }
            </td>
            <td>{ mark(s.applies) }</td>
        </tr>
    }
}

fn grants_table(grants: &[GrantResult], decision: usize) -> Html {
    html! {
        <section class="policy">
            <h4>{ "Grants" }</h4>
            <div class="table-scroll" tabindex="0" role="region" aria-label={format!("Grants considered by decision {decision}")}>
                <table class="table grants">
                    <caption class="sr-only">{ "Grants on the key, one by one" }</caption>
                    <thead>
                        <tr>
                            <th scope="col">{ "Grant" }</th>
                            <th scope="col">{ "Grantee" }</th>
                            <th scope="col">{ "Operation" }</th>
                            <th scope="col">{ "Constraint" }</th>
                            <th scope="col">{ "Applies" }</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for grants.iter().map(|g| html! {
                            <tr class={classes!(g.applies.then_some("applies"))}>
                                <th scope="row">
                                    <span class="sid">{ g.name.clone().unwrap_or_else(|| g.grant_id.clone()) }</span>
                                    <span class="summary">{ g.summary.clone() }</span>
                                </th>
                                <td>{ mark(g.grantee_matched) }{ " " }<code>{ g.grantee_principal.clone() }</code></td>
                                <td>{ mark(g.operation_matched) }{ " " }<span class="ops">{ g.operations.join(", ") }</span></td>
                                <td>{ mark(g.constraint_matched) }</td>
                                <td>{ mark(g.applies) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        </section>
    }
}
