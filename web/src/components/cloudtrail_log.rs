//! The run's whole CloudTrail log: filterable by event name and outcome, exportable as a
//! CloudTrail log file (`{"Records": [...]}`).

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::{classes, component, html, Callback, Event, Html, Properties, TargetCast};

use crate::describe::clock;
use crate::state::{Loaded, OutcomeFilter, TrailFilter};

/// The log's properties.
#[derive(Properties, PartialEq)]
pub struct CloudTrailLogProps {
    /// The run.
    pub loaded: Rc<Loaded>,
    /// The step shown.
    pub step: usize,
    /// The filter.
    pub filter: TrailFilter,
    /// Filters by event name (`None`: all).
    pub on_name: Callback<Option<String>>,
    /// Filters by outcome.
    pub on_outcome: Callback<OutcomeFilter>,
    /// Goes to a step.
    pub on_go: Callback<usize>,
}

/// The CloudTrail panel.
#[component]
pub fn CloudTrailLog(props: &CloudTrailLogProps) -> Html {
    let loaded = &props.loaded;
    let events = &loaded.run.cloudtrail;
    let mut names: Vec<&str> = events.iter().map(|e| e.event_name.as_ref()).collect();
    names.sort_unstable();
    names.dedup();
    let shown: Vec<usize> = (0..events.len())
        .filter(|&i| props.filter.matches(&events[i]))
        .collect();

    let on_name = {
        let emit = props.on_name.clone();
        Callback::from(move |e: Event| {
            let value = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            emit.emit((!value.is_empty()).then_some(value));
        })
    };
    let on_outcome = {
        let emit = props.on_outcome.clone();
        Callback::from(move |e: Event| {
            let value = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            emit.emit(OutcomeFilter::from_value(&value))
        })
    };
    let on_export = {
        let loaded = loaded.clone();
        let filter = props.filter.clone();
        Callback::from(move |_| {
            let records: Vec<_> = loaded
                .run
                .cloudtrail
                .iter()
                .filter(|e| filter.matches(e))
                .collect();
            let json = serde_json::to_string_pretty(&serde_json::json!({ "Records": records }))
                .unwrap_or_default();
            let name = format!("cloudtrail-{}.json", loaded.scenario.name);
            if let Err(problem) = download(&name, &json) {
                web_sys::console::error_1(&format!("could not export: {problem}").into());
            }
        })
    };
    let selected_name = props.filter.event_name.clone().unwrap_or_default();
    html! {
        <section class="trail" aria-labelledby="trail-heading" data-testid="cloudtrail">
            <div class="panel-head">
                <h2 id="trail-heading">{ "CloudTrail log" }</h2>
                <p class="muted">{ format!("{} events in this run; each KMS call is recorded, allowed or not.", events.len()) }</p>
            </div>
            <div class="filters">
                <label>
                    { "Event name " }
                    <select onchange={on_name} data-testid="trail-name">
                        <option value="" selected={selected_name.is_empty()}>{ "All events" }</option>
                        { for names.iter().map(|n| html! {
                            <option value={n.to_string()} selected={selected_name == *n}>{ n.to_string() }</option>
                        }) }
                    </select>
                </label>
                <label>
                    { "Outcome " }
                    <select onchange={on_outcome} data-testid="trail-outcome">
                        { for [OutcomeFilter::All, OutcomeFilter::Success, OutcomeFilter::Error].iter().map(|o| {
                            let label = match o {
                                OutcomeFilter::All => "Successes and errors",
                                OutcomeFilter::Success => "Successes",
                                OutcomeFilter::Error => "Errors",
                            };
                            html! { <option value={o.value()} selected={props.filter.outcome == *o}>{ label }</option> }
                        }) }
                    </select>
                </label>
                <button type="button" class="secondary" onclick={on_export} disabled={shown.is_empty()}>
                    { format!("Export {} as JSON", if shown.len() == 1 { "1 event".to_owned() } else { format!("{} events", shown.len()) }) }
                </button>
            </div>
            if shown.is_empty() {
                <p class="muted">{ "No events match the filter." }</p>
            } else {
                <div class="table-scroll" tabindex="0" role="region" aria-label="CloudTrail events">
                    <table class="table trail-table">
                        <caption class="sr-only">{ "CloudTrail events of the run" }</caption>
                        <thead>
                            <tr>
                                <th scope="col">{ "Time" }</th>
                                <th scope="col">{ "Event" }</th>
                                <th scope="col">{ "Caller" }</th>
                                <th scope="col">{ "Outcome" }</th>
                                <th scope="col">{ "Step" }</th>
                            </tr>
                        </thead>
                        <tbody>
                            { for shown.iter().map(|&i| {
                                let e = &events[i];
                                let step = loaded.event_steps.get(i).copied().flatten();
                                let current = step == Some(props.step);
                                let identity = &e.user_identity;
                                let caller = identity.invoked_by.as_ref().map(|via| via.to_string())
                                    .filter(|_| identity.arn.is_none())
                                    .or_else(|| identity.arn.as_ref().map(|arn| match &identity.invoked_by {
                                        Some(via) => format!("{arn} via {via}"),
                                        None => arn.to_string(),
                                    }))
                                    .unwrap_or_else(|| identity.kind.to_string());
                                html! {
                                    <tr class={classes!(current.then_some("current"), e.error_code.is_some().then_some("failed"))}
                                        aria-current={current.then_some("step")}>
                                        <td><time datetime={e.event_time.to_string()}>{ clock(&e.event_time).to_owned() }</time></td>
                                        <td><code>{ e.event_name.to_string() }</code></td>
                                        <td class="caller">{ caller }</td>
                                        <td>
                                            { match &e.error_code {
                                                Some(code) => html! { <span class="badge bad">{ code.to_string() }</span> },
                                                None => html! { <span class="badge ok">{ "Success" }</span> },
                                            } }
                                        </td>
                                        <td>
                                            { match step {
                                                Some(s) => {
                                                    let on_go = props.on_go.clone();
                                                    html! {
                                                        <button type="button" class="link"
                                                                aria-label={format!("Go to step {} ({})", s + 1, e.event_name)}
                                                                onclick={Callback::from(move |_| on_go.emit(s))}>
                                                            { format!("Step {}", s + 1) }
                                                        </button>
                                                    }
                                                }
                                                None => html! { <span class="muted">{ "—" }</span> },
                                            } }
                                        </td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                </div>
            }
        </section>
    }
}

/// Saves `text` as a file called `name`, through a Blob URL of this page's own origin.
fn download(name: &str, text: &str) -> Result<(), String> {
    let fail = |what: &str| format!("{what} failed");
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| fail("finding the document"))?;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| fail("making the file"))?;
    let url =
        web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| fail("making its URL"))?;
    let anchor = document
        .create_element("a")
        .map_err(|_| fail("making a link"))?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| fail("making a link"))?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // The download has started by the time this fires; then the URL can go.
    gloo_timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}
