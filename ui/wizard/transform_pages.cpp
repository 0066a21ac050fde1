// The transform, review, verify and import pages.

#include "hsi/scanner.h"
#include "recovery_wizard.h"
#include "wizard_pages.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace hsi::ui {

using recovery::JobStep;

namespace {

/// Mixpanel can undo a deletion for this long after it ran.
constexpr qint64 kUndoWindowMs = 7LL * 24 * 3600 * 1000;

QTableWidget *makeTable(const QStringList &headers, const QString &name)
{
    auto *table = new QTableWidget(0, static_cast<int>(headers.size()));
    table->setObjectName(name);
    table->setHorizontalHeaderLabels(headers);
    // The id column takes the spare width: ids are the long values.
    table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    table->verticalHeader()->setVisible(false);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    return table;
}

void appendRow(QTableWidget *table, const QStringList &cells)
{
    const int row = table->rowCount();
    table->insertRow(row);
    for (int column = 0; column < cells.size(); ++column)
        table->setItem(row, column, new QTableWidgetItem(cells[column]));
}

/// The property a pair counts: distinct_id, or the group key.
QString pairKey(ShardKind kind, const std::string &groupKey)
{
    if (kind == ShardKind::User)
        return QStringLiteral("distinct_id");
    return QString::fromStdString(groupKey);
}

/// Milliseconds since the user confirmed the deletion, or nothing.
std::optional<qint64> msSinceDeletion(const RecoveryJob &job)
{
    const auto state = job.folder().loadState();
    const auto steps = state.find("steps");
    if (steps == state.end() || !steps->contains("deletion_confirmed"))
        return std::nullopt;
    const QDateTime confirmed = QDateTime::fromString(
        QString::fromStdString(
            steps->at("deletion_confirmed").value("done_at", "")),
        Qt::ISODateWithMs);
    if (!confirmed.isValid())
        return std::nullopt;
    return confirmed.msecsTo(QDateTime::currentDateTimeUtc());
}

/// Indents one event for the before/after view; text that is not JSON is
/// shown as it is.
QString prettyJson(const std::string &text)
{
    const nlohmann::ordered_json json =
        nlohmann::ordered_json::parse(text, nullptr, false);
    return QString::fromStdString(json.is_discarded() ? text : json.dump(2));
}

} // namespace

TransformPage::TransformPage(RecoveryWizard *wizard) : StepPage(wizard)
{
    setTitle(QStringLiteral("Transform"));
    setSubTitle(QStringLiteral(
        "Restores the names of $hotshard_events, sets their distinct_id, "
        "blanks the hot group ids and passes every other event through "
        "unchanged. Events that cannot be transformed go to "
        "transformed/rejects.ndjson with the reason."));
    m_distinctId = new QComboBox;
    m_distinctId->setObjectName(QStringLiteral("distinctIdChoice"));
    m_distinctId->addItem(QStringLiteral("Keep \"\" (unattributed)"),
                          QStringLiteral("keep"));
    m_distinctId->addItem(
        QStringLiteral("Original id (mp_original_distinct_id)"),
        QStringLiteral("original"));
    m_distinctId->addItem(QStringLiteral("Another property"),
                          QStringLiteral("property"));
    m_distinctId->addItem(QStringLiteral("Map through a CSV file"),
                          QStringLiteral("map"));
    m_argument = new QLineEdit;
    m_argument->setObjectName(QStringLiteral("distinctIdArgument"));
    m_groups = new QLabel;
    m_groups->setWordWrap(true);
    m_regenerate = new QCheckBox(QStringLiteral("Regenerate $insert_id"));
    m_regenerate->setObjectName(QStringLiteral("regenerateInsertId"));
    m_regenerateReason = new QLabel;
    m_regenerateReason->setWordWrap(true);
    m_legacyTime = new QCheckBox(
        QStringLiteral("The project predates 2023: convert local time to UTC"));
    m_timeZone = new QLineEdit;
    m_timeZone->setPlaceholderText(QStringLiteral("America/Los_Angeles"));
    m_timeZone->setEnabled(false);
    m_run = new QPushButton(QStringLiteral("&Transform"));

    auto *form = new QFormLayout;
    form->addRow(QStringLiteral("&distinct_id:"), m_distinctId);
    form->addRow(QStringLiteral("Property or &CSV file:"), m_argument);
    form->addRow(QStringLiteral("Blanked groups:"), m_groups);
    form->addRow(m_regenerate);
    form->addRow(m_regenerateReason);
    form->addRow(m_legacyTime);
    form->addRow(QStringLiteral("Project time &zone:"), m_timeZone);
    m_content->addLayout(form);
    m_content->addWidget(m_run, 0, Qt::AlignLeft);
    m_content->addStretch();

    connect(m_distinctId, &QComboBox::currentIndexChanged, this,
            &TransformPage::updateArgument);
    connect(m_legacyTime, &QCheckBox::toggled, m_timeZone,
            &QLineEdit::setEnabled);
    connect(m_run, &QPushButton::clicked, this, &TransformPage::startTransform);
    updateArgument();
}

void TransformPage::updateArgument()
{
    const QString mode = m_distinctId->currentData().toString();
    m_argument->setEnabled(mode == QLatin1String("property") ||
                           mode == QLatin1String("map"));
    m_argument->setPlaceholderText(
        mode == QLatin1String("map")
            ? QStringLiteral("ids.csv with the "
                             "header original_id,new_id")
            : QStringLiteral("$user_id"));
    // A changed choice needs a new transform before the wizard goes on.
    setDone(false);
}

void TransformPage::initializePage()
{
    const RecoveryPlan &plan = m_wizard->plan();
    QStringList groups;
    for (const recovery::GroupTarget &group : plan.groups)
        groups << QStringLiteral("%1 = %2").arg(
            QString::fromStdString(group.key),
            QString::fromStdString(group.id));
    m_groups->setText(groups.isEmpty() ? QStringLiteral("none (user path)")
                                       : groups.join(QLatin1Char('\n')));
    const std::optional<qint64> sinceDeletion =
        m_wizard->job() ? msSinceDeletion(*m_wizard->job()) : std::nullopt;
    const bool inUndoWindow = sinceDeletion && *sinceDeletion < kUndoWindowMs;
    m_regenerate->setChecked(inUndoWindow);
    m_regenerateReason->setText(
        inUndoWindow ? QStringLiteral(
                           "Recommended: the deletion was confirmed less than "
                           "7 days ago. Mixpanel can undo a deletion during "
                           "those 7 days, and re-imported events with the "
                           "same $insert_id as a deleted copy may be "
                           "deduplicated against it and disappear. New ids "
                           "are a hash of the event, so a rerun gives the "
                           "same ids.")
                     : QStringLiteral(
                           "Needed only when importing within 7 days of a "
                           "deletion, or when $insert_id values are invalid."));
    setDone(m_wizard->job() &&
            m_wizard->job()->folder().isDone(JobStep::Transform));
    if (isComplete())
        setStatus(QStringLiteral("Transformed earlier; transform again after "
                                 "changing a setting."));
}

std::optional<recovery::TransformOptions> TransformPage::options()
{
    recovery::TransformOptions options;
    QString choice = m_distinctId->currentData().toString();
    if (m_argument->isEnabled())
        choice += QLatin1Char(':') + m_argument->text().trimmed();
    try {
        options.distinctId =
            recovery::DistinctIdChoice::parse(choice.toStdString());
    } catch (const std::exception &error) {
        setStatus(QString::fromUtf8(error.what()));
        return std::nullopt;
    }
    options.blankGroups = m_wizard->plan().groups;
    options.regenerateInsertId = m_regenerate->isChecked();
    if (m_legacyTime->isChecked())
        options.legacyTimeZone = m_timeZone->text().trimmed().toStdString();
    return options;
}

void TransformPage::startTransform()
{
    const std::optional<recovery::TransformOptions> chosen = options();
    if (!chosen || !m_wizard->job() || isBusy())
        return;
    m_wizard->setTransformOptions(*chosen);
    setDone(false);
    const QString root = m_wizard->job()->folder().root();
    const auto cancel = std::make_shared<std::atomic<bool>>(false);
    setCancelHook([cancel]() { *cancel = true; });
    const recovery::TransformProgress progress =
        [this](const recovery::TransformProgressState &state) {
            postToPage([this, state]() {
                setProgress(state.bytesDone, state.bytesTotal);
                setStatus(QStringLiteral("Transformed %1 events…")
                              .arg(state.eventsRead));
            });
        };
    runStep(
        QStringLiteral("Transforming…"),
        [root, options = *chosen, cancel, progress]() {
            return RecoveryJob(root).transform(options, cancel.get(), progress);
        },
        [this](const StepOutcome<recovery::TransformStats> &outcome) {
            if (!outcome.value) {
                setStatus(QStringLiteral("The transform failed: %1")
                              .arg(outcome.error));
                return;
            }
            const recovery::TransformStats &stats = *outcome.value;
            setStatus(QStringLiteral("Read %1 events: %2 restored, %3 other "
                                     "events changed, %4 unchanged, %5 set "
                                     "aside in transformed/rejects.ndjson.")
                          .arg(stats.read)
                          .arg(stats.restored)
                          .arg(stats.modified)
                          .arg(stats.passedThrough)
                          .arg(stats.setAside));
            setDone(true);
        });
}

ReviewPage::ReviewPage(RecoveryWizard *wizard) : StepPage(wizard)
{
    setTitle(QStringLiteral("Review"));
    setSubTitle(QStringLiteral(
        "Nothing has been sent yet. Check the events per id or group and day "
        "that the import would send, and a few events before and after the "
        "transform."));
    m_counts = makeTable({QStringLiteral("Key"), QStringLiteral("Id"),
                          QStringLiteral("Day"), QStringLiteral("Events")},
                         QStringLiteral("reviewCounts"));
    m_before = new QPlainTextEdit;
    m_before->setReadOnly(true);
    m_after = new QPlainTextEdit;
    m_after->setReadOnly(true);
    auto *samples = new QSplitter;
    samples->addWidget(m_before);
    samples->addWidget(m_after);
    m_content->addWidget(m_counts, 1);
    m_content->addWidget(new QLabel(QStringLiteral("Sample event, before and "
                                                   "after:")));
    m_content->addWidget(samples, 1);
}

void ReviewPage::initializePage()
{
    if (!m_wizard->job())
        return;
    setDone(false);
    const QString root = m_wizard->job()->folder().root();
    ScanSettings settings = m_wizard->plan().scanSettings;
    settings.threads = 1;
    const recovery::TransformOptions options = m_wizard->transformOptions();
    runStep(
        QStringLiteral("Counting the transformed events…"),
        [root, settings, options]() {
            const RecoveryJob job(root);
            ReviewData data;
            data.report = std::make_shared<const Report>(
                scan({job.transformedPath().toStdString()}, settings));
            data.samples = job.preview(options, 3);
            return data;
        },
        [this](const StepOutcome<ReviewData> &outcome) {
            if (!outcome.value) {
                setStatus(outcome.error);
                return;
            }
            showReview(*outcome.value);
            setDone(true);
        });
}

void ReviewPage::showReview(const ReviewData &data)
{
    m_counts->setRowCount(0);
    const Report &report = *data.report;
    // The ids with the most events per day first; the table stops at 200
    // rows because the point is the shape, not every id.
    for (const IdVolume &volume : report.ids) {
        for (std::uint32_t i = 0; i < volume.dayCount; ++i) {
            const DayCount &day = report.idDays[volume.firstDay + i];
            appendRow(m_counts, {pairKey(volume.kind, volume.groupKey),
                                 QString::fromStdString(volume.id),
                                 QString::fromStdString(formatDay(day.day)),
                                 QString::number(day.events)});
        }
        if (m_counts->rowCount() >= 200)
            break;
    }
    m_counts->resizeColumnsToContents();
    if (!data.samples.empty()) {
        const recovery::PreviewSample &sample = data.samples.front();
        m_before->setPlainText(prettyJson(sample.before));
        m_after->setPlainText(
            sample.after.empty()
                ? QStringLiteral("Set aside: %1")
                      .arg(QString::fromStdString(sample.outcome.detail))
                : prettyJson(sample.after));
    }
    setStatus(QStringLiteral("%1 events to import, %2 without distinct_id.")
                  .arg(report.totals.events)
                  .arg(report.totals.nonAttributedEvents));
}

VerifyPage::VerifyPage(RecoveryWizard *wizard) : StepPage(wizard)
{
    setTitle(QStringLiteral("Verify"));
    setSubTitle(QStringLiteral(
        "Runs the hot-shard detection on the transformed file. The import "
        "stays blocked while any id or group would exceed its daily limit "
        "again."));
    m_offending = makeTable({QStringLiteral("Key"), QStringLiteral("Id"),
                             QStringLiteral("Day"), QStringLiteral("Events"),
                             QStringLiteral("Limit")},
                            QStringLiteral("offendingPairs"));
    m_content->addWidget(m_offending);
}

void VerifyPage::initializePage()
{
    if (!m_wizard->job())
        return;
    setDone(false);
    m_offending->setRowCount(0);
    const QString root = m_wizard->job()->folder().root();
    const RecoveryPlan plan = m_wizard->plan();
    runStep(
        QStringLiteral("Verifying…"),
        [root, plan]() { return RecoveryJob(root).verify(plan); },
        [this](const StepOutcome<recovery::VerifyResult> &outcome) {
            if (!outcome.value) {
                setStatus(outcome.error);
                return;
            }
            showResult(*outcome.value);
        });
}

void VerifyPage::showResult(const recovery::VerifyResult &result)
{
    m_offending->setRowCount(0);
    for (const recovery::OffendingPair &pair : result.offending)
        appendRow(m_offending,
                  {pairKey(pair.kind, pair.groupKey),
                   QString::fromStdString(pair.id),
                   QString::fromStdString(formatDay(pair.day)),
                   QString::number(pair.events), QString::number(pair.limit)});
    m_offending->resizeColumnsToContents();
    if (result.passed()) {
        setStatus(QStringLiteral("Passed: %1 events, no id or group over its "
                                 "limit.")
                      .arg(result.events));
    } else if (!result.inputErrors.empty()) {
        setStatus(QStringLiteral("The transformed file could not be read: %1")
                      .arg(QString::fromStdString(result.inputErrors.front())));
    } else {
        const QString pairs =
            result.offending.size() == 1
                ? QStringLiteral("1 id or group would exceed its daily limit")
                : QStringLiteral("%1 id or group and day pairs would exceed "
                                 "their limit")
                      .arg(result.offending.size());
        setStatus(QStringLiteral("Blocked: %1 again. Go Back to the transform "
                                 "page, choose another distinct_id source, "
                                 "transform and verify again.")
                      .arg(pairs));
    }
    setDone(result.passed());
}

ImportPage::ImportPage(RecoveryWizard *wizard) : StepPage(wizard)
{
    setTitle(QStringLiteral("Import"));
    setSubTitle(QStringLiteral(
        "Sends the transformed events in batches of up to 2,000. Each "
        "acknowledged batch is recorded, so an interrupted import resumes "
        "after the last one. Batches that were in flight when it stopped "
        "are sent again, and Mixpanel keeps one copy of each event by its "
        "$insert_id."));
    setFinalPage(true);
    m_import = new QPushButton(QStringLiteral("&Import"));
    m_report = new QPlainTextEdit;
    m_report->setObjectName(QStringLiteral("importReport"));
    m_report->setReadOnly(true);
    m_content->addWidget(m_import, 0, Qt::AlignLeft);
    m_content->addWidget(m_report, 1);
    connect(m_import, &QPushButton::clicked, this, &ImportPage::startImport);
}

void ImportPage::initializePage()
{
    const bool done =
        m_wizard->job() && m_wizard->job()->folder().isDone(JobStep::Import);
    setDone(done);
    m_import->setEnabled(!done);
    if (done)
        setStatus(QStringLiteral("This job was imported earlier; see the "
                                 "audit log in the job folder."));
}

void ImportPage::startImport()
{
    if (!m_wizard->job() || isBusy())
        return;
    m_import->setEnabled(false);
    const QString root = m_wizard->job()->folder().root();
    const api::ConnectionSettings connection = m_wizard->connection();
    const api::Credentials credentials = m_wizard->credentials();
    auto control = std::make_shared<api::ImportControl>();
    control->onProgress = [this](const api::ImportProgress &progress) {
        postToPage([this, progress]() {
            setProgress(progress.bytesRead, progress.bytesTotal);
            setStatus(QStringLiteral("Imported %1 events, rejected %2…")
                          .arg(progress.imported)
                          .arg(progress.rejected));
        });
    };
    setCancelHook([control]() { control->cancelRequested = true; });
    runStep(
        QStringLiteral("Importing…"),
        [root, connection, credentials, control]() {
            return RecoveryJob(root).importEvents(connection, credentials,
                                                  control.get());
        },
        [this](const StepOutcome<api::ImportSummary> &outcome) {
            if (!outcome.value) {
                m_import->setEnabled(true);
                setStatus(
                    QStringLiteral("The import failed: %1").arg(outcome.error));
                return;
            }
            const api::ImportSummary &summary = *outcome.value;
            m_report->setPlainText(formatImportReport(summary));
            const bool complete = summary.isComplete() && !summary.cancelled;
            setStatus(complete ? QStringLiteral("Import complete.")
                               : QStringLiteral("Import incomplete: press "
                                                "Import to send the rest."));
            m_import->setEnabled(!complete);
            setDone(complete);
        });
}

} // namespace hsi::ui
