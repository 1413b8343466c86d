//! The eight-step framework as data: stages, checkpoints with their default cues, pitfalls and
//! interview types. The ids are the public interface of FRAMEWORK.md; keep them exact.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Clarify,
    Frame,
    Data,
    Features,
    Model,
    Training,
    Evaluation,
    Deployment,
}

/// A value for each stage, indexed by the stage itself.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StageMap<T>([T; 8]);

impl<T> StageMap<T> {
    pub fn from_fn(mut f: impl FnMut(Stage) -> T) -> StageMap<T> {
        StageMap(std::array::from_fn(|i| f(Stage::ALL[i])))
    }

    /// Each stage with its value, in interview order.
    pub fn iter(&self) -> impl Iterator<Item = (Stage, &T)> {
        Stage::ALL.into_iter().zip(self.0.iter())
    }

    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.0.iter()
    }
}

impl<T> std::ops::Index<Stage> for StageMap<T> {
    type Output = T;
    fn index(&self, s: Stage) -> &T {
        &self.0[s.index()]
    }
}

impl<T> std::ops::IndexMut<Stage> for StageMap<T> {
    fn index_mut(&mut self, s: Stage) -> &mut T {
        &mut self.0[s.index()]
    }
}

impl Stage {
    pub const ALL: [Stage; 8] = [
        Stage::Clarify,
        Stage::Frame,
        Stage::Data,
        Stage::Features,
        Stage::Model,
        Stage::Training,
        Stage::Evaluation,
        Stage::Deployment,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Stage::Clarify => "clarify",
            Stage::Frame => "frame",
            Stage::Data => "data",
            Stage::Features => "features",
            Stage::Model => "model",
            Stage::Training => "training",
            Stage::Evaluation => "evaluation",
            Stage::Deployment => "deployment",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Stage::Clarify => "Clarify the problem",
            Stage::Frame => "Frame as an ML problem",
            Stage::Data => "Data",
            Stage::Features => "Feature engineering",
            Stage::Model => "Model selection",
            Stage::Training => "Training strategy",
            Stage::Evaluation => "Evaluation",
            Stage::Deployment => "Deployment and monitoring",
        }
    }

    /// What the candidate should get done in this stage, in one line.
    pub fn goal(self) -> &'static str {
        match self {
            Stage::Clarify => {
                "ask before designing: objective, success metrics, constraints, data, scale, how predictions are used"
            }
            Stage::Frame => {
                "state the ML task: problem type, inputs, output, and the ML metrics with a reason"
            }
            Stage::Data => "sources, quality, labels and their delay, imbalance, drift, privacy",
            Stage::Features => {
                "raw signals, derived features (aggregates, velocity, ratios, embeddings), transformations"
            }
            Stage::Model => {
                "a simple baseline, stronger models, the trade-offs, and a justified choice"
            }
            Stage::Training => {
                "splits without leakage, cross-validation, tuning, imbalance, regularisation"
            }
            Stage::Evaluation => "offline metrics, an online test, business impact, error analysis",
            Stage::Deployment => "serving pattern, latency, scale, monitoring, retraining",
        }
    }

    /// Minutes of a 60-minute case study (FRAMEWORK.md).
    pub fn minutes_of_sixty(self) -> f64 {
        match self {
            Stage::Clarify => 8.0,
            Stage::Frame => 5.0,
            Stage::Data => 7.0,
            Stage::Features => 7.0,
            Stage::Model => 8.0,
            Stage::Training => 6.0,
            Stage::Evaluation => 7.0,
            Stage::Deployment => 7.0,
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn next(self) -> Option<Stage> {
        Stage::ALL.get(self.index() + 1).copied()
    }

    pub fn from_id(id: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.id() == id)
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Minutes of the wrap-up (candidate questions) in a 60-minute session.
pub const WRAP_UP_MINUTES_OF_SIXTY: f64 = 5.0;

pub struct CheckpointDef {
    pub id: &'static str,
    pub stage: Stage,
    pub weight: f64,
    pub title: &'static str,
    pub cues: &'static [&'static str],
}

macro_rules! checkpoints {
    ($( $id:literal, $stage:ident, $w:literal, $title:literal, [$($cue:literal),* $(,)?]; )*) => {
        pub const CHECKPOINTS: &[CheckpointDef] = &[
            $( CheckpointDef { id: $id, stage: Stage::$stage, weight: $w, title: $title, cues: &[$($cue),*] }, )*
        ];
    };
}

// Default cues work for any scenario; a scenario adds its own domain words. Phrases rather than
// bare common words, so that mentioning "data" does not cover "data availability".
checkpoints! {
    "clarify.business-objective", Clarify, 1.5, "asks what the business is trying to achieve",
        ["business goal", "business objective", "primary goal", "main goal", "goal is to", "trying to achieve",
         "what * optimiz* for", "are we optimiz*", "optimiz* for revenue", "optimiz* for engagement", "what problem are we solving", "business impact", "expected impact", "stakeholder*",
         "current solution", "current system", "how * handled today", "reduce loss*", "what are we trying"];
    "clarify.success-metrics", Clarify, 1.5, "asks how success is measured",
        ["success metric*", "measure success", "define success", "success look", "primary metric", "secondary metric*",
         "north star", "key metric", "guardrail*", "how * measure success", "how * measure it", "how * measure the impact", "what metric*", "how * success"];
    "clarify.constraints", Clarify, 1.0, "asks about latency, cost, interpretability or regulatory constraints",
        ["constraint*", "latency requirement*", "latency budget", "what * latency", "acceptable latency", "how fast", "need * interpretab*",
         "interpretab* requirement*", "explainab*", "regulat*", "adverse action", "compute budget", "cost limit*",
         "explain * decision*", "how much latency", "latency * allowed"];
    "clarify.data-availability", Clarify, 1.0, "asks what data exists and whether labels exist",
        ["what data", "data do we have", "data * available", "data availab*", "access to * data", "historical data",
         "do we have label*", "label* exist", "have labeled", "data collect*", "how * collected", "data infrastructure",
         "what signals", "do we log", "what do we log", "data * have access"];
    "clarify.scale", Clarify, 1.0, "asks about users, request rates, data volume and growth",
        ["how many user*", "how many transaction*", "how many request*", "how many customer*", "how many item*",
         "how many product*", "per second", "qps", "tps", "data volume", "volume of", "how much data",
         "what scale", "at what scale", "scale of", "expected growth", "growth rate", "how fast * grow*", "daily active", "million user*", "how much traffic", "traffic volume", "traffic do we"];
    "clarify.user-experience", Clarify, 1.0, "asks where and how predictions are used",
        ["real time", "realtime", "batch", "where * shown", "where * appear", "where * display*", "surface",
         "how many * show", "how many recommendation*", "user experience", "customer experience", "friction",
         "in the flow", "synchronous*", "what happens when", "what action", "block* the"];
    "frame.problem-type", Frame, 1.5, "names the ML task",
        ["classification", "classifier", "regression problem", "regression task", "ranking problem", "learning to rank",
         "rank* problem", "retrieval", "clustering", "anomaly detection", "survival analysis", "frame * as",
         "supervised", "recommendation problem", "predict whether"];
    "frame.inputs", Frame, 1.0, "names the input signals",
        ["input*", "signals like", "signals such", "features like", "features such as", "based on the user*",
         "from the transaction*", "user history", "use signal*", "predict from"];
    "frame.output", Frame, 1.0, "names what is predicted",
        ["output*", "probability of", "probability that", "likelihood of", "risk score", "fraud score",
         "churn score", "churn probability", "propensity", "ranked list", "score between", "predict the probability",
         "scores each", "score for each"];
    "frame.ml-metrics", Frame, 1.5, "names the ML metrics and why",
        ["precision", "recall", "f1", "auc", "roc", "ndcg", "mrr", "map at", "log loss", "hit rate", "accuracy",
         "average precision", "mean average", "rmse", "mae", "brier", "calibration"];
    "data.sources", Data, 1.0, "says where the data comes from",
        ["data source*", "source of", "sources are", "come* from", "logs", "logged", "logging", "event stream", "clickstream",
         "click stream", "warehouse", "crm", "third party", "database", "pull from", "join* with", "tables"];
    "data.quality", Data, 1.0, "checks data quality: missing values, noise, outliers",
        ["missing value*", "missing data", "data quality", "noise", "noisy", "outlier*", "duplicate*", "corrupt*",
         "null*", "imput*", "clean* the data", "data clean*", "bad data", "validat* the data", "sanity check*",
         "bot* traffic", "garbage"];
    "data.labeling", Data, 1.5, "says how labels are obtained, their quality or delay",
        ["label* delay", "delayed label*", "label* quality", "label* noise", "noisy label*", "ground truth",
         "chargeback*", "annotat*", "manual* review*", "how * label*", "label* come from", "label* from",
         "define * label*", "label* defin*", "weak* label*", "mislabel*", "label* arrive", "label* take",
         "positive label*", "negative label*", "labels are", "label* lag", "implicit feedback", "explicit feedback"];
    "data.class-imbalance", Data, 1.0, "notices imbalanced classes",
        ["imbalanc*", "unbalanc*", "class imbalance", "rare event*", "rare class", "minority class", "majority class",
         "skewed class*", "heavily skewed", "skewed toward*", "label skew", "base rate", "positive rate", "few positive*", "needle in", "#% fraud", "fraud rate",
         "churn rate", "sparse", "sparsity"];
    "data.drift", Data, 1.0, "expects the distribution to change over time",
        ["drift*", "distribution shift*", "distribution change*", "change* over time", "non stationar*",
         "nonstationar*", "seasonal*", "covariate shift", "adversar*", "adapt* their", "pattern* change",
         "evolv*", "shift* over time", "stale", "trend* change"];
    "data.privacy", Data, 1.0, "handles privacy: PII, consent, compliance",
        ["privacy", "pii", "personal data", "personally identifiable", "gdpr", "ccpa", "consent", "anonymi*",
         "pseudonymi*", "hash the", "compliance", "encrypt*", "sensitive data", "pci", "data retention",
         "opt out", "opt in", "protected attribute*"];
    "features.raw", Features, 1.0, "lists raw signals",
        ["raw feature*", "raw signal*", "basic feature*", "categorical feature*", "numerical feature*",
         "numeric feature*", "demographic*", "metadata", "price", "device", "location", "transaction amount", "purchase amount", "order amount", "category",
         "timestamp", "tenure", "plan type"];
    "features.derived", Features, 1.5, "derives features: aggregates, time windows, ratios, sequences, velocity, embeddings",
        ["aggregat*", "rolling", "window", "velocity", "in the last # hour*", "in the last # day*", "count of",
         "number of * in the last", "average * amount", "ratio", "time since", "frequency", "recency",
         "embedding*", "cross feature*", "interaction feature*", "sequence*", "historical average",
         "derived feature*", "deviation from", "compared to * usual", "trend*", "hour of day", "day of week",
         "last # *", "per user", "user level"];
    "features.transformations", Features, 1.0, "transforms features: normalization, encoding, binning, scaling",
        ["normaliz*", "standardiz*", "scal* the feature*", "feature scaling", "one hot", "encod*", "binning",
         "bucket*", "log transform*", "log of", "hashing trick", "feature hash*", "z score", "min max",
         "clip*", "winsoriz*", "impute"];
    "model.baseline", Model, 1.5, "starts from a simple baseline",
        ["baseline", "logistic regression", "rule based", "rules based", "heuristic*", "simple model",
         "start simple", "linear model", "popularity", "most popular", "decision tree", "naive bayes",
         "existing rule*", "rules engine", "start with a simple"];
    "model.advanced", Model, 1.0, "names stronger models",
        ["gradient boost*", "xgboost", "lightgbm", "catboost", "gbdt", "gbm", "boosted tree*", "random forest",
         "neural net", "neural nets", "neural network*", "deep learning", "deep model", "transformer*", "two tower", "matrix factori*",
         "collaborative filter*", "graph neural", "gnn", "lstm", "rnn", "dnn", "wide and deep",
         "autoencoder", "isolation forest", "ensemble", "mlp"];
    "model.trade-offs", Model, 1.0, "weighs accuracy against interpretability, latency, cost, complexity",
        ["trade off*", "tradeoff*", "pros and cons", "on the other hand", "at the cost of", "versus", "vs",
         "more interpretable", "less interpretable", "harder to explain", "easier to explain", "downside*",
         "adds complexity", "more complex", "adds latency", "more expensive", "cheaper", "slower to",
         "faster to", "black box", "the cost is", "cost* more", "upside*"];
    "model.choice-justified", Model, 1.5, "picks one and justifies it by the constraints",
        ["i d choose", "i would choose", "i d go with", "i would go with", "i d pick", "i would pick",
         "i d recommend", "i would recommend", "i recommend", "my choice", "my pick", "final choice",
         "choose * because", "go with * because", "pick * because", "given the * i d", "given the * i would",
         "given the * we", "which is why", "that s why i", "so i d use", "best fit", "i ll go with",
         "we ll go with", "i ll use"];
    "training.split", Training, 1.5, "splits train, validation and test, by time for temporal data, without leakage",
        ["train test split", "train * validation", "validation set", "test set", "hold out set", "holdout set",
         "time based split", "temporal split", "split by time", "split * by time", "out of time", "chronological*",
         "leakage", "leak*", "future data", "train on * validate on", "split the data", "data split",
         "split by", "time split", "time based"];
    "training.cross-validation", Training, 1.0, "cross-validates by k-fold or by time",
        ["cross validat*", "cross val", "k fold", "# fold", "time series cross", "walk forward", "expanding window",
         "rolling window validation", "rolling origin", "backtest*"];
    "training.tuning", Training, 1.0, "tunes hyperparameters",
        ["hyperparameter*", "hyper parameter*", "grid search", "random search", "bayesian optimi*", "optuna",
         "tune the", "tuning", "learning rate", "max depth", "number of trees", "search over"];
    "training.imbalance", Training, 1.0, "handles imbalance in training",
        ["class weight*", "weighted loss", "cost sensitive", "oversampl*", "over sampl*", "undersampl*",
         "under sampl*", "downsampl*", "down sampl*", "upsampl*", "up sampl*", "smote", "focal loss",
         "threshold tun*", "tune the threshold", "threshold * tun*", "negative sampl*", "resampl*",
         "scale pos weight", "rebalanc*", "sample weight*", "pick * threshold", "choose * threshold"];
    "training.regularization", Training, 1.0, "regularizes: L1/L2, dropout, early stopping",
        ["regulariz*", "l#", "dropout", "early stopping", "early stop", "weight decay", "overfit*", "over fit*",
         "pruning", "shrinkage", "min child weight", "subsampl*", "max depth"];
    "evaluation.offline-metrics", Evaluation, 1.5, "evaluates offline with metrics and curves",
        ["offline evaluat*", "offline metric*", "evaluate offline", "precision recall curve", "pr curve", "roc curve",
         "confusion matrix", "different threshold*", "each threshold", "at a threshold", "hold out", "holdout",
         "backtest*", "precision at", "recall at", "ndcg at", "ndcg #", "recall #", "pr auc", "auc pr",
         "auprc", "lift", "calibrat*", "offline i d", "offline i would", "offline we", "offline test*"];
    "evaluation.online-test", Evaluation, 1.5, "tests online: an A/B test, control vs treatment, a gradual ramp",
        ["a b test*", "ab test*", "a b experiment*", "online experiment*", "online test*", "control group",
         "treatment group", "control and treatment", "treatment and control", "holdback", "hold back",
         "shadow mode", "shadow deploy*", "canary", "ramp up", "ramp", "gradual* roll*", "#% of traffic",
         "interleav*", "run an experiment", "randomi* experiment", "randomi* test"];
    "evaluation.business-metrics", Evaluation, 1.5, "ties results to business outcomes",
        ["revenue", "dollar*", "money saved", "loss* prevented", "fraud loss*", "cost of * false", "conversion",
         "ctr", "click through", "retention rate", "improv* retention", "customer satisfaction", "complaint*", "gmv", "business metric*",
         "business impact", "business outcome*", "roi", "lifetime value", "ltv", "money saved", "dollars saved", "revenue saved", "profit", "nps",
         "engagement", "support ticket*", "churned customer*"];
    "evaluation.error-analysis", Evaluation, 1.0, "analyses false positives/negatives, segments, failure cases",
        ["error analysis", "analy* * false positive*", "analy* * false negative*", "look at * false",
         "false positive*", "false negative*", "failure case*", "failure mode*", "by segment", "per segment",
         "segment*", "slice*", "cohort*", "where the model fail*", "break * down by", "breakdown by"];
    "deployment.serving", Deployment, 1.5, "chooses batch, online or hybrid serving, the API and a feature store",
        ["serving", "serve", "batch prediction*", "batch scor*", "batch job", "online prediction*", "online inference",
         "real time inference", "rest api", "api", "grpc", "endpoint", "microservice", "feature store",
         "model server", "precomput*", "pre comput*", "hybrid", "deploy*", "nightly job", "daily job"];
    "deployment.latency", Deployment, 1.0, "sets a latency budget: p50/p95/p99",
        ["p#", "latency budget", "tail latency", "# ms", "#ms", "millisecond*", "response time", "latency sla",
         "sla", "timeout*", "time out", "latency target", "within the latency", "under the latency"];
    "deployment.scalability", Deployment, 1.0, "plans throughput: peak traffic, autoscaling, load balancing, caching",
        ["autoscal*", "auto scal*", "horizontal*", "load balanc*", "peak traffic", "peak load", "throughput",
         "shard*", "replica*", "scale out", "scale up", "cach*", "black friday", "spike*", "burst*",
         "capacity planning", "enough capacity", "gpu*", "scale horizontally", "qps"];
    "deployment.monitoring", Deployment, 1.5, "monitors model metrics, drift, data quality and system health, with alerts",
        ["monitor*", "dashboard*", "alert*", "observab*", "track * over time", "data quality check*",
         "feature drift", "prediction drift", "psi", "population stability", "kl divergence", "on call",
         "error rate*"];
    "deployment.retraining", Deployment, 1.0, "retrains on a schedule or trigger, by an automated pipeline, with an A/B test before rollout",
        ["retrain*", "re train*", "refresh the model", "refresh * weekly", "schedule* training",
         "continuous training", "training pipeline", "automat* pipeline", "model registry", "champion challenger",
         "rollback", "roll back", "online learning", "incremental* train*", "fine tun*", "model refresh"];
}

pub fn checkpoint(id: &str) -> Option<&'static CheckpointDef> {
    CHECKPOINTS.iter().find(|c| c.id == id)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Pitfall {
    #[serde(rename = "pitfall.jumped-to-solution")]
    JumpedToSolution,
    #[serde(rename = "pitfall.ignored-business-context")]
    IgnoredBusinessContext,
    #[serde(rename = "pitfall.over-engineering")]
    OverEngineering,
    #[serde(rename = "pitfall.ignored-data-issues")]
    IgnoredDataIssues,
    #[serde(rename = "pitfall.ignored-production")]
    IgnoredProduction,
    #[serde(rename = "pitfall.poor-communication")]
    PoorCommunication,
    #[serde(rename = "pitfall.ignored-trade-offs")]
    IgnoredTradeOffs,
    #[serde(rename = "pitfall.no-questions")]
    NoQuestions,
    #[serde(rename = "pitfall.ignored-follow-ups")]
    IgnoredFollowUps,
    #[serde(rename = "pitfall.technical-error")]
    TechnicalError,
}

impl Pitfall {
    pub const ALL: [Pitfall; 10] = [
        Pitfall::JumpedToSolution,
        Pitfall::IgnoredBusinessContext,
        Pitfall::OverEngineering,
        Pitfall::IgnoredDataIssues,
        Pitfall::IgnoredProduction,
        Pitfall::PoorCommunication,
        Pitfall::IgnoredTradeOffs,
        Pitfall::NoQuestions,
        Pitfall::IgnoredFollowUps,
        Pitfall::TechnicalError,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Pitfall::JumpedToSolution => "pitfall.jumped-to-solution",
            Pitfall::IgnoredBusinessContext => "pitfall.ignored-business-context",
            Pitfall::OverEngineering => "pitfall.over-engineering",
            Pitfall::IgnoredDataIssues => "pitfall.ignored-data-issues",
            Pitfall::IgnoredProduction => "pitfall.ignored-production",
            Pitfall::PoorCommunication => "pitfall.poor-communication",
            Pitfall::IgnoredTradeOffs => "pitfall.ignored-trade-offs",
            Pitfall::NoQuestions => "pitfall.no-questions",
            Pitfall::IgnoredFollowUps => "pitfall.ignored-follow-ups",
            Pitfall::TechnicalError => "pitfall.technical-error",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Pitfall::JumpedToSolution => "jumped to a solution before clarifying the problem",
            Pitfall::IgnoredBusinessContext => "never tied the ML work to business impact",
            Pitfall::OverEngineering => {
                "reached for a complex model with no baseline or justification"
            }
            Pitfall::IgnoredDataIssues => "assumed clean, balanced, well-labelled data",
            Pitfall::IgnoredProduction => "left out latency, scale, monitoring or retraining",
            Pitfall::PoorCommunication => "answers too short or unstructured to follow",
            Pitfall::IgnoredTradeOffs => "made choices without alternatives, pros and cons",
            Pitfall::NoQuestions => "asked no clarifying questions",
            Pitfall::IgnoredFollowUps => "did not take up the interviewer's follow-up questions",
            Pitfall::TechnicalError => "stated something wrong and did not correct it",
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum InterviewType {
    #[default]
    CaseStudy,
    SystemDesign,
    CodingMl,
}

impl InterviewType {
    /// What a stage is called in this kind of round. A coding round runs on the same stage ids
    /// (`FRAMEWORK.md`) but means other things by them: its `model` stage is where the code is
    /// written, and "Model selection" would tell the candidate the wrong thing.
    pub fn stage_name(self, s: Stage) -> &'static str {
        match (self, s) {
            (InterviewType::CodingMl, Stage::Clarify) => "Clarify the task",
            (InterviewType::CodingMl, Stage::Frame) => "Approach",
            (InterviewType::CodingMl, Stage::Data) => "Inputs and edge cases",
            (InterviewType::CodingMl, Stage::Model) => "Implementation",
            (InterviewType::CodingMl, Stage::Evaluation) => "Testing",
            (InterviewType::CodingMl, Stage::Deployment) => "Scale and production",
            _ => s.name(),
        }
    }

    /// What the candidate should get done in a stage of this kind of round, in one line.
    pub fn stage_goal(self, s: Stage) -> &'static str {
        match (self, s) {
            (InterviewType::CodingMl, Stage::Clarify) => {
                "pin down the inputs, the output, the edge cases and the sizes before writing code"
            }
            (InterviewType::CodingMl, Stage::Frame) => {
                "say what the function computes and the approach, with its cost"
            }
            (InterviewType::CodingMl, Stage::Data) => {
                "the inputs that break a naive version: empty, ties, degenerate labels, bad values"
            }
            (InterviewType::CodingMl, Stage::Model) => {
                "write working, readable code, thinking aloud; run the examples, then submit"
            }
            (InterviewType::CodingMl, Stage::Evaluation) => {
                "show it is right: tests, a reference to compare with, the cases that matter"
            }
            (InterviewType::CodingMl, Stage::Deployment) => {
                "complexity, memory and behaviour at real sizes, and how it runs in production"
            }
            _ => s.goal(),
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            InterviewType::CaseStudy => "case-study",
            InterviewType::SystemDesign => "system-design",
            InterviewType::CodingMl => "coding-ml",
        }
    }

    /// A round's usual length in minutes, and its minutes per stage (in `Stage::ALL` order)
    /// then the wrap-up. A system-design round gives the time to data and above all to
    /// serving; a coding round has no feature or training stage and spends most of its time
    /// writing the code (`model`).
    pub fn shape(self) -> (u32, [f64; 9]) {
        match self {
            InterviewType::CaseStudy => {
                let mut split = [WRAP_UP_MINUTES_OF_SIXTY; 9];
                for s in Stage::ALL {
                    split[s.index()] = s.minutes_of_sixty();
                }
                (60, split)
            }
            InterviewType::SystemDesign => (60, [7.0, 4.0, 9.0, 6.0, 6.0, 4.0, 6.0, 14.0, 4.0]),
            InterviewType::CodingMl => (45, [5.0, 5.0, 6.0, 0.0, 14.0, 0.0, 6.0, 4.0, 5.0]),
        }
    }

    /// How much a stage's score counts in the round's overall score: a system-design round is
    /// judged above all on the data pipeline and on serving at scale.
    pub fn stage_weight(self, stage: Stage) -> f64 {
        match (self, stage) {
            (InterviewType::SystemDesign, Stage::Data) => 1.5,
            (InterviewType::SystemDesign, Stage::Deployment) => 2.0,
            _ => 1.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cue::CueSet;

    #[test]
    fn ids_match_framework_md() {
        assert_eq!(CHECKPOINTS.len(), 37);
        let per_stage: Vec<usize> = Stage::ALL
            .iter()
            .map(|s| CHECKPOINTS.iter().filter(|c| c.stage == *s).count())
            .collect();
        assert_eq!(per_stage, vec![6, 4, 6, 3, 4, 5, 4, 5]);
        for c in CHECKPOINTS {
            let (stage, name) = c.id.split_once('.').unwrap();
            assert_eq!(stage, c.stage.id(), "{}", c.id);
            assert!(!name.is_empty() && !c.cues.is_empty(), "{}", c.id);
            assert_eq!(
                CueSet::new(c.cues).cues.len(),
                c.cues.len(),
                "a cue of {} has no words",
                c.id
            );
        }
        for kind in [
            InterviewType::CaseStudy,
            InterviewType::SystemDesign,
            InterviewType::CodingMl,
        ] {
            let (minutes, split) = kind.shape();
            assert_eq!(split.iter().sum::<f64>(), minutes as f64, "{kind:?}");
            assert!(split[Stage::Clarify.index()] > 0.0);
        }
        assert_eq!(
            serde_json::to_string(&Pitfall::NoQuestions).unwrap(),
            "\"pitfall.no-questions\""
        );
    }

    /// The debrief and the judge's prompt put each title after "a strong candidate" or "the
    /// candidate"; a noun phrase there reads as a garbled sentence.
    #[test]
    fn each_title_says_what_the_candidate_does() {
        for c in CHECKPOINTS {
            let verb = c
                .title
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches(':');
            assert!(
                verb.ends_with('s') && verb.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-'),
                "{}: {:?} does not follow \"a strong candidate\"",
                c.id,
                c.title
            );
        }
    }
}
