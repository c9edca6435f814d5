package top

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/table"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/gobpftool/gobpftool/internal/progfacts"
)

// Config is what the interactive view needs from the command.
type Config struct {
	Interval time.Duration
	// Count ends the view after this many samples; 0 never.
	Count int
	// Stats is how run statistics are on, for the status line.
	Stats string
	// Sample reads the programs.
	Sample func(ctx context.Context) (Sample, error)
	// Detail reads everything known of one program and the links
	// attaching it; ok is false when the program is gone.
	Detail func(ctx context.Context, id uint32) (p *progfacts.Prog, links []progfacts.Link, ok bool, err error)
}

type mode int

const (
	modeTable mode = iota
	modeFilter
	modeSort
	modeDetail
)

type (
	tickMsg   struct{}
	sampleMsg struct {
		s   Sample
		err error
	}
	detailMsg struct {
		id    uint32
		p     *progfacts.Prog
		links []progfacts.Link
		ok    bool
		err   error
	}
)

// View is the interactive `prog top`: a bubbletea model.
type View struct {
	ctx   context.Context
	cfg   Config
	model *Model

	width, height int
	mode          mode
	paused        bool
	inFlight      bool
	samples       int
	lastErr       error

	rows []Row // the last sample, sorted and filtered
	ids  []uint32
	// trows are the table's rows: cells are formatted only from fLo to
	// fHi, around the cursor; the others are blank (off the screen) until
	// it comes near.
	trows    []table.Row
	fLo, fHi int
	idWidth  int // the ID column's: the longest id shown, at least 6
	total    int // programs in the last sample
	sortCol  Column
	sortDesc bool
	sortPick Column
	filter   string

	table table.Model
	input textinput.Model

	detailID    uint32
	detail      *progfacts.Prog
	links       []progfacts.Link
	detailGone  bool
	detailErr   error
	detailBusy  bool
	pointBuffer []Point
}

// tableColumns are the columns of the interactive table.
var tableColumns = []Column{ColID, ColType, ColName, ColAvg, ColEvents, ColCPU, ColRunTime, ColComm}

// NewView returns the view; run it with tea.NewProgram.
func NewView(ctx context.Context, cfg Config) *View {
	km := table.DefaultKeyMap()
	// f opens the filter and b, d, u, g, G and space stay free:
	// bpftop's keys are the arrows, j/k, PgUp/PgDn and Home/End.
	km.PageUp = key.NewBinding(key.WithKeys("pgup"))
	km.PageDown = key.NewBinding(key.WithKeys("pgdown"))
	km.HalfPageUp = key.NewBinding(key.WithKeys("ctrl+u"))
	km.HalfPageDown = key.NewBinding(key.WithKeys("ctrl+d"))
	km.GotoTop = key.NewBinding(key.WithKeys("home"))
	km.GotoBottom = key.NewBinding(key.WithKeys("end"))
	st := table.DefaultStyles()
	st.Header = lipgloss.NewStyle().Bold(true).PaddingRight(1).
		BorderStyle(lipgloss.NormalBorder()).BorderBottom(true)
	st.Cell = lipgloss.NewStyle().PaddingRight(1)
	st.Selected = lipgloss.NewStyle().Reverse(true)
	in := textinput.New()
	in.Prompt = "filter: "
	in.CharLimit = 64
	v := &View{
		ctx: ctx, cfg: cfg, model: NewModel(),
		width: 80, height: 24,
		sortCol: ColCPU, sortDesc: true,
		table: table.New(table.WithFocused(true), table.WithKeyMap(km), table.WithStyles(st)),
		input: in,
	}
	v.layout()
	return v
}

// Init starts the first sample.
func (v *View) Init() tea.Cmd { return v.sample() }

func (v *View) sample() tea.Cmd {
	if v.inFlight || v.paused {
		return nil
	}
	v.inFlight = true
	return func() tea.Msg {
		s, err := v.cfg.Sample(v.ctx)
		return sampleMsg{s, err}
	}
}

func (v *View) fetchDetail(id uint32) tea.Cmd {
	if v.detailBusy {
		return nil
	}
	v.detailBusy = true
	return func() tea.Msg {
		p, links, ok, err := v.cfg.Detail(v.ctx, id)
		return detailMsg{id, p, links, ok, err}
	}
}

// Update handles keys, samples, detail readings and resizes.
func (v *View) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		v.width, v.height = msg.Width, msg.Height
		v.layout()
		return v, nil
	case tickMsg:
		return v, v.sample()
	case sampleMsg:
		return v, v.applySample(msg)
	case detailMsg:
		v.detailBusy = false
		if msg.id == v.detailID {
			v.detailErr = msg.err
			if msg.err == nil && msg.ok {
				v.detail, v.links, v.detailGone = msg.p, msg.links, false
			} else if msg.err == nil {
				v.detailGone = true
			}
		}
		return v, nil
	case tea.KeyMsg:
		return v.key(msg)
	}
	return v, nil
}

func (v *View) applySample(msg sampleMsg) tea.Cmd {
	v.inFlight = false
	v.lastErr = msg.err
	var cmds []tea.Cmd
	if msg.err == nil {
		rows := v.model.Update(msg.s)
		v.total = len(rows)
		v.samples++
		v.setRows(rows)
		if v.mode == modeDetail {
			if v.model.History(v.detailID) == nil {
				v.detailGone = true
			} else {
				cmds = append(cmds, v.fetchDetail(v.detailID))
			}
		}
		if v.cfg.Count > 0 && v.samples >= v.cfg.Count {
			return tea.Quit
		}
	}
	if !v.paused {
		wait := v.cfg.Interval
		if !msg.s.At.IsZero() {
			wait -= time.Since(msg.s.At)
		}
		cmds = append(cmds, tea.Tick(max(wait, time.Millisecond), func(time.Time) tea.Msg { return tickMsg{} }))
	}
	return tea.Batch(cmds...)
}

// setRows filters and sorts the sample's rows into the table, keeping
// the cursor on the program it was on.
func (v *View) setRows(rows []Row) {
	var keep uint32
	if c := v.table.Cursor(); c >= 0 && c < len(v.ids) {
		keep = v.ids[c]
	}
	lower := strings.ToLower(v.filter)
	v.rows = v.rows[:0]
	for _, r := range rows {
		if Match(&r, lower) {
			v.rows = append(v.rows, r)
		}
	}
	SortRows(v.rows, v.sortCol, v.sortDesc)
	// Ids grow for as long as the machine runs: the column widens to
	// the longest (ten digits at most) rather than cut them.
	idWidth := minIDWidth
	for i := range v.rows {
		idWidth = max(idWidth, digits(v.rows[i].Prog.ID))
	}
	v.ids = v.ids[:0]
	v.trows = v.trows[:0]
	// A row may have no more cells than the table has columns.
	blank := make(table.Row, len(v.table.Columns()))
	cursor := 0
	for i := range v.rows {
		v.ids = append(v.ids, v.rows[i].Prog.ID)
		if v.rows[i].Prog.ID == keep {
			cursor = i
		}
		v.trows = append(v.trows, blank)
	}
	if idWidth != v.idWidth {
		v.idWidth = idWidth
		v.layout()
	}
	// The rows near the cursor are formatted before the table renders
	// them (SetRows and SetCursor each render the screen).
	v.fLo, v.fHi = 0, 0
	v.formatRows(cursor)
	v.table.SetRows(v.trows)
	v.table.SetCursor(cursor)
}

// formatAround formats the cells of the rows within two screens of the
// cursor, the only ones the table can show before the next key: a sample
// of 10,000 programs formats a hundred rows, not 10,000 (9 ms a second).
func (v *View) formatAround() {
	if v.formatRows(v.table.Cursor()) {
		v.table.UpdateViewport()
	}
}

// formatRows formats the rows within two screens of row c that are not
// formatted yet, and tells whether there were any.
func (v *View) formatRows(c int) bool {
	w := 2 * max(v.table.Height(), 20)
	lo, hi := max(0, c-w), min(len(v.rows), c+w)
	if lo >= v.fLo && hi <= v.fHi {
		return false
	}
	for i := lo; i < hi; i++ {
		if i >= v.fLo && i < v.fHi {
			continue
		}
		r := &v.rows[i]
		v.trows[i] = table.Row{
			itoa(uint64(r.Prog.ID)), TypeName(r), r.Prog.Name,
			fmt.Sprintf("%.0f", r.AvgRuntimeNs), formatRate(r.EventsPerSec),
			fmt.Sprintf("%.2f", r.CPUPercent), FormatNs(r.Prog.RunTimeNs), Comms(r),
		}
	}
	v.fLo, v.fHi = lo, hi
	return true
}

func (v *View) key(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := msg.String()
	if k == "ctrl+c" {
		return v, tea.Quit
	}
	switch v.mode {
	case modeFilter:
		switch k {
		case "enter":
			v.filter = strings.TrimSpace(v.input.Value())
			v.mode = modeTable
			v.input.Blur()
			v.setRows(v.model.rows)
			return v, nil
		case "esc":
			v.mode = modeTable
			v.input.Blur()
			return v, nil
		}
		var cmd tea.Cmd
		v.input, cmd = v.input.Update(msg)
		return v, cmd
	case modeSort:
		switch k {
		case "left", "h", "up", "k":
			v.sortPick = (v.sortPick + numColumns - 1) % numColumns
		case "right", "l", "down", "j", "tab":
			v.sortPick = (v.sortPick + 1) % numColumns
		case "enter":
			if v.sortPick == v.sortCol {
				v.sortDesc = !v.sortDesc
			} else {
				v.sortCol = v.sortPick
				// Text sorts up, numbers down, as one expects first.
				v.sortDesc = v.sortPick >= ColAvg && v.sortPick <= ColRunCnt
			}
			v.mode = modeTable
			v.layout()
			v.setRows(v.model.rows)
		case "esc", "q":
			v.mode = modeTable
		}
		return v, nil
	case modeDetail:
		switch k {
		case "esc", "backspace":
			v.mode = modeTable
		case "q":
			return v, tea.Quit
		case "p":
			return v, v.togglePause()
		}
		return v, nil
	}
	switch k {
	case "q":
		return v, tea.Quit
	case "p":
		return v, v.togglePause()
	case "s":
		v.mode, v.sortPick = modeSort, v.sortCol
		return v, nil
	case "f", "/":
		v.mode = modeFilter
		v.input.SetValue(v.filter)
		v.input.CursorEnd()
		return v, v.input.Focus()
	case "esc":
		if v.filter != "" {
			v.filter = ""
			v.setRows(v.model.rows)
		}
		return v, nil
	case "enter":
		c := v.table.Cursor()
		if c < 0 || c >= len(v.ids) {
			return v, nil
		}
		v.mode, v.detailID = modeDetail, v.ids[c]
		v.detail, v.links, v.detailGone, v.detailErr = nil, nil, false, nil
		return v, v.fetchDetail(v.detailID)
	}
	var cmd tea.Cmd
	v.table, cmd = v.table.Update(msg)
	v.formatAround()
	return v, cmd
}

func (v *View) togglePause() tea.Cmd {
	v.paused = !v.paused
	if v.paused {
		return nil
	}
	return v.sample()
}

// minIDWidth is the ID column's width while ids have at most 6 digits.
const minIDWidth = 6

func digits(n uint32) int {
	d := 1
	for ; n >= 10; n /= 10 {
		d++
	}
	return d
}

// formatRate is events per second with a decimal while it is small, as
// a whole number from 100,000 up: it fits the column up to a billion.
func formatRate(r float64) string {
	if r >= 1e5 {
		return fmt.Sprintf("%.0f", r)
	}
	return fmt.Sprintf("%.1f", r)
}

// layout sizes the table's columns to the terminal: fixed widths for the
// numbers, what is left shared by the name (two thirds) and the comms.
func (v *View) layout() {
	fixed := map[Column]int{ColID: max(v.idWidth, minIDWidth), ColType: 12, ColAvg: 7, ColEvents: 9, ColCPU: 6, ColRunTime: 8}
	if v.width >= 90 {
		fixed[ColType] = 13
	}
	if v.width >= 120 {
		fixed[ColType], fixed[ColAvg], fixed[ColEvents], fixed[ColRunTime] = 14, 10, 11, 11
	}
	used := len(tableColumns) // one cell of padding each
	for _, w := range fixed {
		used += w
	}
	free := max(v.width-used, 12)
	name := free * 2 / 3
	cols := make([]table.Column, len(tableColumns))
	for i, c := range tableColumns {
		w, ok := fixed[c]
		switch {
		case ok:
		case c == ColName:
			w = name
		default:
			w = free - name
		}
		title := ColumnNames[c]
		if c == v.sortCol {
			if v.sortDesc {
				title += "↓"
			} else {
				title += "↑"
			}
		}
		cols[i] = table.Column{Title: title, Width: w}
	}
	v.table.SetColumns(cols)
	v.table.SetWidth(v.width)
	// Status line above, key line below.
	v.table.SetHeight(max(v.height-2, 3))
	v.fLo, v.fHi = 0, 0
	v.formatAround()
}

var (
	statusStyle = lipgloss.NewStyle().Reverse(true)
	dimStyle    = lipgloss.NewStyle().Faint(true)
	titleStyle  = lipgloss.NewStyle().Bold(true)
)

// View renders the screen.
func (v *View) View() string {
	if v.mode == modeDetail {
		return v.detailView()
	}
	status := fmt.Sprintf(" %d programs", v.total)
	if v.filter != "" {
		status += fmt.Sprintf(" (%d shown, filter %q)", len(v.rows), v.filter)
	}
	status += fmt.Sprintf("  interval %s  stats %s", v.cfg.Interval, v.cfg.Stats)
	if v.paused {
		status += "  PAUSED"
	}
	if v.lastErr != nil {
		status += "  error: " + v.lastErr.Error()
	}
	var keys string
	switch v.mode {
	case modeFilter:
		keys = v.input.View()
	case modeSort:
		var b strings.Builder
		b.WriteString("sort (←/→, enter, esc):")
		for c := Column(0); c < numColumns; c++ {
			if c == v.sortPick {
				b.WriteString(" [" + ColumnNames[c] + "]")
			} else {
				b.WriteString(" " + ColumnNames[c])
			}
		}
		keys = b.String()
	default:
		keys = dimStyle.Render("↑↓/jk move  s sort  f filter  enter detail  p pause  q quit")
	}
	return statusStyle.Render(fit(status, v.width)) + "\n" + v.table.View() + "\n" + fit(keys, v.width)
}

// fit pads or cuts s to w cells.
func fit(s string, w int) string {
	if lipgloss.Width(s) > w {
		return lipgloss.NewStyle().MaxWidth(w).Render(s)
	}
	return s + strings.Repeat(" ", w-lipgloss.Width(s))
}

// FormatNs prints a duration in ns briefly: 950ns, 12.3us, 4.56ms, 7.89s.
func FormatNs(ns uint64) string {
	switch {
	case ns < 1000:
		return fmt.Sprintf("%dns", ns)
	case ns < 1e6:
		return fmt.Sprintf("%.1fus", float64(ns)/1e3)
	case ns < 1e9:
		return fmt.Sprintf("%.2fms", float64(ns)/1e6)
	}
	return fmt.Sprintf("%.2fs", float64(ns)/1e9)
}
