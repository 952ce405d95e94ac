//! The page: the reducer, the effects that run scenarios, autoplay and keep the URL, and
//! the views laid out around the diagram.

use std::rc::Rc;

use gloo_timers::callback::{Interval, Timeout};
use kmsplay_core::diagram::snapshot;
use yew::{component, html, use_effect_with, use_memo, use_reducer, Callback, Html};

use crate::components::cloudtrail_log::CloudTrailLog;
use crate::components::diagram::Diagram;
use crate::components::inspector::Inspector;
use crate::components::scenario_editor::ScenarioEditor;
use crate::components::scenario_intro::ScenarioIntro;
use crate::components::scenario_picker::ScenarioPicker;
use crate::components::step_controls::StepControls;
use crate::components::step_list::StepList;
use crate::hooks::use_keyboard;
use crate::state::{Action, Initial, State};

/// How often autoplay advances.
const AUTOPLAY_MS: u32 = 1_500;

/// What the page's URL asks for.
fn initial_from_url() -> Initial {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .map(|query| Initial::from_query(&query))
        .unwrap_or_default()
}

/// The whole page.
#[component]
pub fn App() -> Html {
    let state = use_reducer(|| State::new(initial_from_url()));
    let dispatch = state.dispatcher();
    use_keyboard(dispatch.clone());

    // Run a pending scenario after the page has painted "Running…".
    {
        let dispatch = dispatch.clone();
        let pending = state.pending.clone();
        use_effect_with(pending.as_ref().map(|p| p.id), move |_| {
            let timer = pending.map(|pending| {
                Timeout::new(16, move || {
                    dispatch.dispatch(Action::Finished(Rc::new(pending.run())));
                })
            });
            move || drop(timer)
        });
    }

    // Autoplay.
    {
        let dispatch = dispatch.clone();
        use_effect_with(state.playing, move |playing| {
            let timer = playing
                .then(|| Interval::new(AUTOPLAY_MS, move || dispatch.dispatch(Action::Tick)));
            move || drop(timer)
        });
    }

    // The URL names the built-in and the step, so a view can be shared or reloaded.
    {
        let builtin = state.loaded.as_ref().and_then(|l| l.builtin_name());
        let seed = state.seed;
        use_effect_with(
            (builtin, state.step, state.loaded.is_some()),
            move |&(builtin, step, loaded)| {
                if loaded {
                    replace_url(builtin, step, seed);
                }
            },
        );
    }

    let snapshot = {
        let loaded = state.loaded.clone();
        use_memo(
            (state.loaded.as_ref().map(|l| l.id), state.step),
            move |&(_, step)| loaded.map(|l| Rc::new(snapshot(l.steps(), step))),
        )
    };

    let on_action = {
        let dispatch = dispatch.clone();
        Callback::from(move |action: Action| dispatch.dispatch(action))
    };
    let on_pick = {
        let dispatch = dispatch.clone();
        Callback::from(move |name: String| dispatch.dispatch(Action::OpenBuiltin(name)))
    };
    let on_select = {
        let dispatch = dispatch.clone();
        Callback::from(move |id: String| dispatch.dispatch(Action::Select(Some(id))))
    };
    let on_go = {
        let dispatch = dispatch.clone();
        Callback::from(move |step: usize| dispatch.dispatch(Action::GoTo(step)))
    };

    let current_title = state
        .loaded
        .as_ref()
        .map(|l| l.scenario.title.clone())
        .unwrap_or_else(|| "Loading…".to_owned());

    let view = match (&state.loaded, &*snapshot) {
        (Some(loaded), Some(snapshot)) => {
            let step = state.current();
            html! {
                <>
                    <div class="layout">
                        <ScenarioIntro loaded={loaded.clone()} />
                        <StepControls
                            step={state.step}
                            len={state.len()}
                            playing={state.playing}
                            actor={step.map(|s| s.actor.clone()).unwrap_or_default()}
                            title={step.map(|s| s.title.clone()).unwrap_or_default()}
                            sentence={step.map(|s| s.sentence.clone()).unwrap_or_else(|| "This run has no steps.".to_owned())}
                            failed={step.is_some_and(|s| s.failed())}
                            on_action={on_action.clone()} />
                        <Diagram loaded={loaded.clone()} snapshot={snapshot.clone()}
                                 selected={state.selected.clone()} {on_select} />
                        <StepList loaded={loaded.clone()} step={state.step} {on_go} />
                        <Inspector loaded={loaded.clone()} snapshot={snapshot.clone()}
                                   tab={state.tab} selected={state.selected.clone()}
                                   on_action={on_action.clone()} />
                    </div>
                    <div class="lower">
                        <CloudTrailLog loaded={loaded.clone()} step={state.step}
                                       filter={state.filter.clone()} on_action={on_action.clone()} />
                        <ScenarioEditor text={state.editor.clone()} error={state.editor_error.clone()}
                                        loaded={state.loaded.clone()} running={state.is_running()}
                                        on_action={on_action.clone()} />
                    </div>
                </>
            }
        }
        _ => html! {
            <>
                <p class="loading" role="status">{ "Running the scenario in your browser…" }</p>
                if state.editor_error.is_some() {
                    <ScenarioEditor text={state.editor.clone()} error={state.editor_error.clone()}
                                    loaded={None} running={state.is_running()}
                                    on_action={on_action.clone()} />
                }
            </>
        },
    };

    html! {
        <>
            <a class="skip-link" href="#diagram-heading">{ "Skip to the diagram" }</a>
            <header class="masthead">
                <div class="masthead-inner">
                    <div class="brand">
                        <h1>{ "KMS Playground" }</h1>
                        <p class="tagline">
                            { "Watch AWS KMS, Amazon WorkMail and Amazon SES protect mail with \
                               envelope encryption — every key, wrap, policy decision and \
                               CloudTrail event, one step at a time, simulated in your browser." }
                        </p>
                    </div>
                    <ScenarioPicker
                        current={state.loaded.as_ref().and_then(|l| l.builtin_name())}
                        {current_title} {on_pick} />
                </div>
            </header>
            <main class="app">
                if let Some(notice) = &state.notice {
                    <p class="notice" role="status">{ notice.clone() }</p>
                }
                if state.is_running() && state.loaded.is_some() {
                    <p class="running" role="status">{ "Running the scenario…" }</p>
                }
                { view }
            </main>
            <footer>
                { "Nothing leaves this page: no AWS account, no network calls, no real keys. \
                   Keys: ← → step, Home / End jump, Space plays." }
            </footer>
        </>
    }
}

/// `?scenario=NAME&step=N` for a built-in, the bare path for an edited scenario.
fn replace_url(builtin: Option<&str>, step: usize, seed: Option<u64>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let mut query = match builtin {
        Some(name) => format!("?scenario={name}&step={}", step + 1),
        None => String::new(),
    };
    if let Some(seed) = seed {
        query.push(if query.is_empty() { '?' } else { '&' });
        query.push_str(&format!("seed={seed}"));
    }
    let url = if query.is_empty() {
        window.location().pathname().unwrap_or_default()
    } else {
        query
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}
