package api

// The kinds of fields the api types do not have yet, for the generator's own test: it is copied
// beside api's flatten.go, generated for, and its walks compared with the reflective one.

type Code string

type Count int16

type Tags []string

type inner struct {
	Inner string `json:"inner"`
}

type Leaf struct {
	Name  string  `json:"name"`
	Score float32 `json:"score"`
}

type Wide struct {
	inner
	*Leaf
	Skipped  string `json:"-"`
	NoTag    string
	Code     Code                `json:"code,omitempty"`
	Flag     bool                `json:"flag"`
	Int      int                 `json:"int"`
	Small    Count               `json:"small"`
	Uint     uint64              `json:"uint"`
	Ptr      uintptr             `json:"ptr"`
	Ratio    float64             `json:"ratio"`
	IntPtr   **int               `json:"intPtr,omitempty"`
	Any      any                 `json:"any,omitempty"`
	Array    [2]string           `json:"array"`
	Tags     Tags                `json:"tags,omitempty"`
	Grid     [][]string          `json:"grid,omitempty"`
	Leaves   *[]Leaf             `json:"leaves,omitempty"`
	ByName   map[Code]Code       `json:"byName,omitempty"`
	ByNumber map[string]int      `json:"byNumber,omitempty"`
	Nested   []map[string]string `json:"nested,omitempty"`
	hidden   string
}
