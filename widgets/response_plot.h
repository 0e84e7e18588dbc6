// SPDX-License-Identifier: MIT
// Each residual block's response magnitude against the gate threshold ε, with an ε line the
// user can drag. Takes plain numbers; knows nothing of torch.
#pragma once

#include <QSharedPointer>
#include <QWidget>
#include <vector>

class QCustomPlot;
class QCPGraph;
class QCPItemStraightLine;
class QCPAxisTickerText;
class QCPItemText;
class QMouseEvent;

namespace epsilon {

/// How a block stands against ε.
enum class BlockMark {
    Alive,           ///< Its max|F| is above ε.
    UnderEpsilon,    ///< At or under ε: it would be discarded at this ε.
    DiscardedByRun,  ///< Training already discarded it (gate 0 on every batch of an epoch).
};

/// Blocks on the x axis (numbered from 0, stages separated), max|F| and mean|F| on a log y
/// axis, and a horizontal ε line. Dragging the line, or setEpsilon(), moves ε; the marks follow.
class ResponsePlot : public QWidget {
    Q_OBJECT

  public:
    explicit ResponsePlot(QWidget* parent = nullptr);

    /// The network's shape: n blocks per stage, 3 stages.
    void setBlocksPerStage(int blocks_per_stage);
    /// Current responses, one value per block (values <= 0 are drawn at the axis floor).
    void setResponses(const std::vector<float>& max_abs, const std::vector<float>& mean_abs);
    /// Blocks that training has discarded (1) or not (0).
    void setDiscarded(const std::vector<uint8_t>& discarded);
    void setEpsilon(double epsilon);

    double epsilon() const { return epsilon_; }
    BlockMark markOf(int block) const;
    int blockCount() const { return static_cast<int>(max_abs_.size()); }
    /// The plot itself, for export and for tests that drive it with the mouse.
    QCustomPlot* plot() const { return plot_; }
    /// Pixel row of the ε line in plot() coordinates.
    int epsilonPixel() const;
    /// What the plot says of the block under the mouse (empty when none is): its number and
    /// stage, responses, and mark.
    QString readout() const;
    /// The same for `block`.
    QString describe(int block) const;

  signals:
    /// ε was changed by dragging the line.
    void epsilonDragged(double epsilon);

  private:
    void onPress(QMouseEvent* event);
    void onMove(QMouseEvent* event);
    void onRelease(QMouseEvent* event);
    void redraw();
    // Where block `block` sits on the x axis: its index, plus half a block between stages.
    double xOf(size_t block) const;
    void hover(double x);

    QCustomPlot* plot_;
    QCPGraph* alive_;
    QCPGraph* under_;
    QCPGraph* discarded_;
    QCPGraph* mean_;
    QCPItemStraightLine* epsilon_line_;
    QCPItemText* epsilon_label_;
    QCPItemText* readout_;
    int hovered_ = -1;
    QSharedPointer<QCPAxisTickerText> ticker_;
    int blocks_per_stage_ = 1;
    std::vector<float> max_abs_;
    std::vector<float> mean_abs_;
    std::vector<uint8_t> discarded_flags_;
    double epsilon_ = 1.0;
    bool dragging_ = false;
};

}  // namespace epsilon
