#include "scan_settings_dialog.h"

#include "format.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTimeZone>
#include <QVBoxLayout>
#include <algorithm>
#include <limits>

namespace hsi::ui {

ScanSettingsDialog::ScanSettingsDialog(const ScanSettings &settings,
                                       QWidget *parent)
    : QDialog(parent), m_initial(settings), m_userLimit(new QSpinBox(this)),
      m_groupLimit(new QSpinBox(this)), m_timeZone(new QComboBox(this)),
      m_legacyTime(new QCheckBox(QStringLiteral("Legacy project time"), this)),
      m_groupKeys(new QLineEdit(this)), m_nearLimit(new QDoubleSpinBox(this))
{
    setWindowTitle(QStringLiteral("Scan settings"));
    for (QSpinBox *box : {m_userLimit, m_groupLimit}) {
        box->setRange(1, std::numeric_limits<int>::max());
        box->setGroupSeparatorShown(true);
        box->setSuffix(QStringLiteral(" events per day"));
    }
    m_timeZone->setEditable(true);
    for (const QByteArray &id : QTimeZone::availableTimeZoneIds())
        m_timeZone->addItem(QString::fromLatin1(id));
    m_legacyTime->setToolTip(
        QStringLiteral("Projects created before 2023 store time as "
                       "project-local wall-clock seconds; "
                       "the date is then read from the value as it is and the "
                       "time zone is ignored."));
    connect(m_legacyTime, &QCheckBox::toggled, m_timeZone,
            &QWidget::setDisabled);
    m_groupKeys->setPlaceholderText(QStringLiteral("company_id, account_id"));
    m_groupKeys->setToolTip(QStringLiteral(
        "Group key properties to count, separated by commas. Keys named by "
        "$hotshard_record events are counted in any case."));
    m_nearLimit->setRange(0.01, 1.0);
    m_nearLimit->setSingleStep(0.05);
    m_nearLimit->setDecimals(2);
    m_nearLimit->setToolTip(
        QStringLiteral("Pairs at or above this fraction of their limit are "
                       "listed as near the limit."));

    auto *form = new QFormLayout;
    form->addRow(QStringLiteral("Limit per distinct_id"), m_userLimit);
    form->addRow(QStringLiteral("Limit per group id"), m_groupLimit);
    form->addRow(QStringLiteral("Time zone of event dates"), m_timeZone);
    form->addRow(QString(), m_legacyTime);
    form->addRow(QStringLiteral("Group keys"), m_groupKeys);
    form->addRow(QStringLiteral("Near-limit fraction"), m_nearLimit);

    auto *buttons =
        new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel |
                                 QDialogButtonBox::RestoreDefaults,
                             this);
    buttons->button(QDialogButtonBox::Ok)->setText(QStringLiteral("Rescan"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::RestoreDefaults),
            &QPushButton::clicked, this, &ScanSettingsDialog::restoreDefaults);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);
    showValues(settings);
}

void ScanSettingsDialog::showValues(const ScanSettings &settings)
{
    const auto clampToInt = [](std::int64_t value) {
        return static_cast<int>(
            std::min<std::int64_t>(value, std::numeric_limits<int>::max()));
    };
    m_userLimit->setValue(clampToInt(settings.userLimit));
    m_groupLimit->setValue(clampToInt(settings.groupLimit));
    m_timeZone->setCurrentText(toQString(settings.timeZone));
    m_legacyTime->setChecked(settings.legacyProjectTime);
    m_timeZone->setDisabled(settings.legacyProjectTime);
    QStringList keys;
    for (const std::string &key : settings.groupKeys)
        keys << toQString(key);
    m_groupKeys->setText(keys.join(QStringLiteral(", ")));
    m_nearLimit->setValue(settings.nearLimitFraction);
}

void ScanSettingsDialog::restoreDefaults()
{
    showValues(ScanSettings{});
}

ScanSettings ScanSettingsDialog::settings() const
{
    ScanSettings result = m_initial;
    result.userLimit = m_userLimit->value();
    result.groupLimit = m_groupLimit->value();
    result.timeZone = m_timeZone->currentText().trimmed().toStdString();
    result.legacyProjectTime = m_legacyTime->isChecked();
    result.groupKeys = parseGroupKeys(m_groupKeys->text());
    result.nearLimitFraction = m_nearLimit->value();
    return result;
}

std::vector<std::string> parseGroupKeys(const QString &text)
{
    std::vector<std::string> keys;
    for (const QString &part :
         text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const std::string key = part.trimmed().toStdString();
        if (!key.empty() &&
            std::find(keys.begin(), keys.end(), key) == keys.end())
            keys.push_back(key);
    }
    return keys;
}

} // namespace hsi::ui
