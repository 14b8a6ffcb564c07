package firewall

import (
	"fmt"

	"github.com/google/nftables"
)

var families = []nftables.TableFamily{nftables.TableFamilyINet, nftables.TableFamilyBridge}

// ours lists which of the two tables exist, by family.
func (f *Firewall) ours() (map[nftables.TableFamily]*nftables.Table, error) {
	found := map[nftables.TableFamily]*nftables.Table{}
	for _, fam := range families {
		ts, err := f.conn.ListTablesOfFamily(fam)
		if err != nil {
			return nil, fmt.Errorf("list tables: %w", err)
		}
		for _, t := range ts {
			if t.Name == f.cfg.TableName {
				found[fam] = t
			}
		}
	}
	return found, nil
}

// removeTables deletes both tables if present.
func (f *Firewall) removeTables() error {
	found, err := f.ours()
	if err != nil {
		return fmt.Errorf("firewall: %w", err)
	}
	if len(found) == 0 {
		return nil
	}
	for _, t := range found {
		f.conn.DelTable(t)
	}
	if err := f.conn.Flush(); err != nil {
		return fmt.Errorf("firewall: delete %s: %w", f.cfg.TableName, err)
	}
	return nil
}

// apply rewrites both tables in one batch: existing tables are flushed and
// their chains (but the base chains, which stay hooked) and sets deleted,
// then everything of p is added. The kernel commits the batch atomically.
func (f *Firewall) apply(p plan) error {
	found, err := f.ours()
	if err != nil {
		return err
	}
	var olds []leftovers
	for fam, t := range found {
		old, err := f.leftovers(t, fam)
		if err != nil {
			return err
		}
		olds = append(olds, old)
	}
	rs := &ruleset{c: f.conn, sets: map[string]*nftables.Set{}, devicePrefix: f.cfg.DevicePrefix,
		inet:   f.conn.AddTable(&nftables.Table{Family: nftables.TableFamilyINet, Name: f.cfg.TableName}),
		bridge: f.conn.AddTable(&nftables.Table{Family: nftables.TableFamilyBridge, Name: f.cfg.TableName}),
	}
	for _, old := range olds {
		f.clear(old)
	}
	if err := rs.addSets(p.sets); err != nil {
		return err
	}
	rs.bridgeRules(p.ports)
	rs.inetRules(p.ports)
	if err := f.conn.Flush(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// leftovers is what a rebuild removes from an existing table.
type leftovers struct {
	table  *nftables.Table
	chains []*nftables.Chain // all but the base chains, which stay hooked
	sets   []*nftables.Set
}

// leftovers lists table t's sets and chains other than the base chains.
func (f *Firewall) leftovers(t *nftables.Table, fam nftables.TableFamily) (leftovers, error) {
	old := leftovers{table: t}
	chains, err := f.conn.ListChainsOfTableFamily(fam)
	if err != nil {
		return old, fmt.Errorf("list chains: %w", err)
	}
	for _, ch := range chains {
		if ch.Table.Name != t.Name {
			continue
		}
		switch ch.Name {
		case chainAntispoof, chainPortmark, chainForward, chainRouted:
			if ch.Hooknum != nil {
				continue
			}
		}
		old.chains = append(old.chains, ch)
	}
	if old.sets, err = f.conn.GetSets(t); err != nil {
		return old, fmt.Errorf("list sets: %w", err)
	}
	return old, nil
}

// clear queues the flush of a table and the deletion of its leftovers.
func (f *Firewall) clear(old leftovers) {
	f.conn.FlushTable(old.table)
	for _, ch := range old.chains {
		f.conn.DelChain(ch)
	}
	for _, s := range old.sets {
		f.conn.DelSet(s)
	}
}
