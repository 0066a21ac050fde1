#pragma once

#include "hsi/scan_settings.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace hsi::ui {

/// Edits the settings that decide how a scan counts events: the two
/// limits, the time zone or legacy project time, the group keys and the
/// near-limit fraction.
class ScanSettingsDialog : public QDialog {
    Q_OBJECT
public:
    ScanSettingsDialog(const ScanSettings &settings, QWidget *parent = nullptr);

    /// The settings as edited. Fields the dialog does not show keep the
    /// values passed to the constructor.
    ScanSettings settings() const;

private:
    void restoreDefaults();
    void showValues(const ScanSettings &settings);

    ScanSettings m_initial;
    QSpinBox *m_userLimit;
    QSpinBox *m_groupLimit;
    QComboBox *m_timeZone;
    QCheckBox *m_legacyTime;
    QLineEdit *m_groupKeys;
    QDoubleSpinBox *m_nearLimit;
};

/// Splits "company_id, account" into group keys, dropping blanks and repeats.
std::vector<std::string> parseGroupKeys(const QString &text);

} // namespace hsi::ui
