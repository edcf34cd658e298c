package command

func keyCommands() []*Spec {
	return nil
}
