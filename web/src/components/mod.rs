//! One component per file.

pub mod cloudtrail_log;
pub mod decision_view;
pub mod diagram;
pub mod experiment_panel;
pub mod inspector;
pub mod json_view;
pub mod legend;
pub mod policy_editor;
pub mod scenario_editor;
pub mod scenario_intro;
pub mod scenario_picker;
pub mod share_bar;
pub mod step_controls;
pub mod step_list;
