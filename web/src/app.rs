//! The page: the reducer, the effects that run scenarios, autoplay and keep the URL, and
//! the views laid out around the diagram — the whole playground, or in embed mode only
//! the diagram, the step controls and the step sentence.

use std::rc::Rc;

use gloo_timers::callback::{Interval, Timeout};
use kmsplay_core::diagram::{snapshot, Snapshot};
use yew::{
    component, html, use_effect_with, use_memo, use_node_ref, use_reducer, Callback, Html, NodeRef,
    UseReducerHandle,
};

use crate::components::cloudtrail_log::CloudTrailLog;
use crate::components::diagram::Diagram;
use crate::components::experiment_panel::ExperimentPanel;
use crate::components::inspector::Inspector;
use crate::components::scenario_editor::ScenarioEditor;
use crate::components::scenario_intro::ScenarioIntro;
use crate::components::scenario_picker::ScenarioPicker;
use crate::components::share_bar::ShareBar;
use crate::components::step_controls::StepControls;
use crate::components::step_list::StepList;
use crate::hooks::{
    use_embed_height, use_hash_change, use_keyboard, use_permalink, use_root_marks,
};
use crate::link::{self, EmbedOptions, Request};
use crate::state::{Action, State};

/// How often autoplay advances.
const AUTOPLAY_MS: u32 = 1_500;
/// The pause in typing after which the key policy editor's text is applied.
const POLICY_DEBOUNCE_MS: u32 = 300;

/// What the page's URL asks for.
fn page_request() -> Request {
    let location = web_sys::window().map(|w| w.location());
    let part = |get: fn(&web_sys::Location) -> Result<String, wasm_bindgen::JsValue>| {
        location
            .as_ref()
            .and_then(|l| get(l).ok())
            .unwrap_or_default()
    };
    link::request(
        &part(web_sys::Location::pathname),
        &part(web_sys::Location::search),
        &part(web_sys::Location::hash),
    )
}

/// The whole page.
#[component]
pub fn App() -> Html {
    let request = use_memo((), |()| page_request());
    let embed = request.embed;
    let state = {
        let initial = request.initial.clone();
        use_reducer(move || State::new(initial))
    };
    let dispatch = state.dispatcher();
    use_keyboard(dispatch.clone(), embed.is_none_or(|e| e.controls));
    use_permalink(state.clone(), embed.is_none());
    use_hash_change(dispatch.clone());
    use_root_marks(embed.and_then(|e| e.theme), embed.is_some());
    let embed_root = use_node_ref();
    use_embed_height(embed_root.clone(), embed.is_some());

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

    // The key policy editor applies its text once typing pauses.
    {
        let dispatch = dispatch.clone();
        let text = state.policy.as_ref().map(|p| p.text.clone());
        use_effect_with(text, move |text| {
            let timer = text.is_some().then(|| {
                Timeout::new(POLICY_DEBOUNCE_MS, move || {
                    dispatch.dispatch(Action::ApplyPolicy)
                })
            });
            move || drop(timer)
        });
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

    let notice = state.notice.as_ref().map(|notice| {
        let on_action = on_action.clone();
        html! {
            <div class="notice" role="status" data-testid="notice">
                <p>{ notice.clone() }</p>
                <button type="button" class="secondary dismiss" aria-label="Dismiss this message"
                        onclick={Callback::from(move |_| on_action.emit(Action::DismissNotice))}>
                    { "Dismiss" }
                </button>
            </div>
        }
    });

    if let Some(options) = embed {
        return embed_view(
            &state,
            (*snapshot).clone(),
            options,
            embed_root,
            notice,
            on_action,
        );
    }

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
        .map(|l| l.base().scenario.title.clone())
        .unwrap_or_else(|| "Loading…".to_owned());

    let view = match (&state.loaded, &*snapshot) {
        (Some(loaded), Some(snapshot)) => {
            let step = state.current();
            html! {
                <>
                    <div class="layout">
                        <ScenarioIntro loaded={loaded.clone()}>
                            <ShareBar link={copy_link(&state)} embed={copy_embed(&state)} />
                        </ScenarioIntro>
                        <ExperimentPanel loaded={loaded.clone()} placement={state.placement}
                                         current_scenario_step={state.current_scenario_step()}
                                         error={state.experiment_error.clone()}
                                         policy={state.policy.clone()} running={state.is_running()}
                                         on_action={on_action.clone()} />
                        { step_controls(&state, step, true, on_action.clone()) }
                        <Diagram loaded={loaded.clone()} snapshot={snapshot.clone()}
                                 selected={state.selected.clone()} {on_select} />
                        <StepList loaded={loaded.clone()} step={state.step} {on_go}
                                  first_difference={loaded.experiment.as_ref().and_then(|e| e.first_difference)} />
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
            <a class="skip-link" href="#diagram">{ "Skip to the diagram" }</a>
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
                { notice.unwrap_or_default() }
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

/// The page's address for the view shown (`None` when too large for a link).
fn copy_link(state: &UseReducerHandle<State>) -> Callback<(), Option<String>> {
    let state = state.clone();
    Callback::from(move |()| {
        let view = link::view_state(&state)?;
        let fragment = link::fragment(&view)?;
        let href = web_sys::window()?.location().href().ok()?;
        Some(format!("{}#{fragment}", link::page_base(&href)))
    })
}

/// The iframe that embeds the view shown.
fn copy_embed(state: &UseReducerHandle<State>) -> Callback<(), Option<String>> {
    let state = state.clone();
    Callback::from(move |()| {
        let view = link::view_state(&state)?;
        let href = web_sys::window()?.location().href().ok()?;
        let url = link::embed_url(link::page_base(&href), &view)?;
        let title = state.loaded.as_ref()?.base().scenario.title.clone();
        Some(link::embed_snippet(&url, &title))
    })
}

/// Embed mode: the diagram, the step sentence and (unless `controls=0`) the step
/// controls, with a link to open the same view in the full playground.
fn embed_view(
    state: &UseReducerHandle<State>,
    snapshot: Option<Rc<Snapshot>>,
    options: EmbedOptions,
    root: NodeRef,
    notice: Option<Html>,
    on_action: Callback<Action>,
) -> Html {
    let body = match (&state.loaded, snapshot) {
        (Some(loaded), Some(snapshot)) => {
            let step = state.current();
            html! {
                <>
                    <div class="embed-head">
                        <h1 class="embed-title" data-testid="scenario-title">{ loaded.scenario.title.clone() }</h1>
                        <a class="open-link" href={open_href(state)} target="_blank" rel="noopener"
                           data-testid="open-in-playground">
                            { "Open in playground" }<span class="sr-only">{ " (opens in a new tab)" }</span>
                        </a>
                    </div>
                    { step_controls(state, step, options.controls, on_action.clone()) }
                    <Diagram loaded={loaded.clone()} snapshot={snapshot} legend={false}
                             selected={state.selected.clone()}
                             on_select={Callback::from(move |id: String| on_action.emit(Action::Select(Some(id))))} />
                </>
            }
        }
        _ => {
            html! { <p class="loading" role="status">{ "Running the scenario in your browser…" }</p> }
        }
    };
    html! {
        <main class="embed-root" ref={root} data-testid="embed">
            { notice.unwrap_or_default() }
            { body }
        </main>
    }
}

/// The full playground at the embedded view, relative to this page.
fn open_href(state: &State) -> String {
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    let fragment = link::view_state(state).and_then(|v| link::fragment(&v));
    link::playground_href(&path, fragment.as_deref())
}

/// The step bar for the step shown (the main view and the embed view draw the same one).
fn step_controls(
    state: &State,
    step: Option<&kmsplay_core::trace::Step>,
    controls: bool,
    on_action: yew::Callback<Action>,
) -> Html {
    html! {
        <StepControls
            step={state.step}
            len={state.len()}
            playing={state.playing}
            actor={step.map(|s| s.actor.clone()).unwrap_or_default()}
            title={step.map(|s| s.title.clone()).unwrap_or_default()}
            sentence={step.map(|s| s.sentence.clone()).unwrap_or_else(|| "This run has no steps.".to_owned())}
            failed={step.is_some_and(|s| s.failed())}
            {controls}
            {on_action} />
    }
}
